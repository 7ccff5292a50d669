// Validates Kubernetes manifests against the API's schemas with the npm package kubernetes-models
// (models generated from the Kubernetes OpenAPI spec). Two checks per object:
//   - the JSON schema (types, required fields, enums, formats): Model.validate();
//   - no unknown fields (a misspelt key is silently dropped by a real API server's non-strict
//     decoding): each object is written as a TypeScript literal of the model's interface, and tsc's
//     excess-property check names any key the API does not have.
// Usage: node kubernetes-manifests.mjs OUT_DIR FILE.yaml...   (then: tsc -p OUT_DIR)
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [outDir, ...files] = process.argv.slice(2);
let failed = false;
const lines = [];
let n = 0;
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      failed = true;
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    const { apiVersion, kind } = obj;
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
    const module = `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
    const name = `${file}: ${kind}/${obj.metadata?.name}`;
    let Model;
    try {
      Model = (await import(module))[kind];
    } catch (e) {
      console.error(`${name}: no schema for ${apiVersion} ${kind} (${e.message})`);
      failed = true;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`${name}: schema ok`);
    } catch (e) {
      console.error(`${name}: ${e.message}`);
      failed = true;
    }
    lines.push(`import type { I${kind} as T${n} } from "${module}";`);
    lines.push(`// ${name}`);
    lines.push(`export const o${n}: T${n} = ${JSON.stringify(obj, null, 2)};`);
    n++;
  }
}
writeFileSync(`${outDir}/manifests.ts`, lines.join("\n") + "\n");
writeFileSync(`${outDir}/tsconfig.json`, JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext",
    target: "es2022", skipLibCheck: true },
  files: ["manifests.ts"],
}));
process.exit(failed ? 1 : 0);
