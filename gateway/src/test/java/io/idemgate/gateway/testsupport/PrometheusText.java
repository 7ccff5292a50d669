package io.idemgate.gateway.testsupport;

import java.util.Arrays;

/**
 * Reads sample values out of a Prometheus text exposition, as scraped from the admin port's
 * {@code /metrics}. Matches by metric name and a subset of labels, so a test need not know every
 * label of a sample nor the order in which they are written.
 */
public final class PrometheusText {

    private final String text;

    private PrometheusText(String text) {
        this.text = text;
    }

    public static PrometheusText of(String text) {
        return new PrometheusText(text);
    }

    /**
     * The value of the first sample named {@code name} carrying every {@code labels} pair.
     *
     * @param labels alternating label names and values: {@code "route", "orders", "outcome", "passthrough"}
     * @throws AssertionError naming the samples of that name when none carries the labels
     */
    public double value(String name, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + Arrays.toString(labels));
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if (!rest.startsWith("{") && !rest.startsWith(" ")) {
                continue; // a longer name with this one as its prefix
            }
            if (hasLabels(rest, labels)) {
                String[] parts = line.trim().split(" ");
                return Double.parseDouble(parts[parts.length - 1]);
            }
        }
        throw new AssertionError("no sample " + name + " with labels " + Arrays.toString(labels) + "; samples of that name:\n"
                + String.join("\n", text.lines().filter(l -> l.startsWith(name)).toList()));
    }

    /** The sum of every sample named {@code name} carrying the {@code labels} pairs; 0 when there is none. */
    public double sum(String name, String... labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            if ((rest.startsWith("{") || rest.startsWith(" ")) && hasLabels(rest, labels)) {
                String[] parts = line.trim().split(" ");
                total += Double.parseDouble(parts[parts.length - 1]);
            }
        }
        return total;
    }

    private static boolean hasLabels(String rest, String[] labels) {
        int close = rest.indexOf('}');
        String set = rest.startsWith("{") && close > 0 ? rest.substring(1, close) : "";
        for (int i = 0; i < labels.length; i += 2) {
            String pair = labels[i] + "=\"" + labels[i + 1] + "\"";
            if (!("," + set + ",").contains("," + pair + ",")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
