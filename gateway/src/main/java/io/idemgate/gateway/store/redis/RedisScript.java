package io.idemgate.gateway.store.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One Lua script from {@code resources/redis/}, run by EVALSHA. Redis forgets scripts on restart or
 * SCRIPT FLUSH; on NOSCRIPT the script is sent once in full by EVAL, which also caches it again. On a
 * Cluster both are routed by the one key, so the EVAL reaches (and caches on) the node that said NOSCRIPT.
 *
 * <p>Threading: immutable, any thread.
 */
final class RedisScript {

    private final String name;
    private final byte[] source;
    private final String sha;
    private final ScriptOutputType output;

    private RedisScript(String name, String source, ScriptOutputType output) {
        this.name = name;
        this.source = source.getBytes(StandardCharsets.UTF_8);
        this.sha = sha1(this.source);
        this.output = output;
    }

    /** Loads {@code redis/<name>.lua}, optionally after the shared owner guard {@code redis/owner.lua}. */
    static RedisScript load(String name, boolean ownerOnly, ScriptOutputType output) {
        String body = read(name);
        return new RedisScript(name, ownerOnly ? read("owner") + body : body, output);
    }

    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] key, byte[]... args) {
        return run(redis, new byte[][] {key}, args);
    }

    /** With several keys, all in one hash tag (so one Cluster slot); the first routes the call. */
    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] keys, byte[]... args) {
        CompletableFuture<T> first = redis.<T>evalsha(sha, output, keys, args).toCompletableFuture();
        return first.handle((value, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(source, output, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(stage -> stage);
    }

    String name() {
        return name;
    }

    private static String read(String name) {
        String path = "/redis/" + name + ".lua";
        try (InputStream in = RedisScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JVM", e);
        }
    }
}
