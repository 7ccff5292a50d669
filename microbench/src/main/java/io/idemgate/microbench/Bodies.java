package io.idemgate.microbench;

import java.nio.charset.StandardCharsets;

/**
 * Realistic request bodies for the benchmarks: a payment create (~200 B) and an order with line items (~4 KiB,
 * ~64 KiB).
 *
 * <p>Every benchmark forks with a fixed, pre-touched 1 GiB heap: without it, until the first GC each new
 * eden page is faulted in by the kernel, and on this VM that made allocating benchmarks (the recorder's
 * 64 KiB copy) 30x slower in some iterations than in others — a cost a warmed-up gateway does not pay.
 */
final class Bodies {

    private Bodies() {
    }

    /** About 200 bytes, keys deliberately not in sorted order, as clients send them. */
    static byte[] small() {
        return utf8("{\"amount\":1999,\"currency\":\"EUR\",\"customer\":\"cus_8f2a91c3\","
                + "\"description\":\"Order #10492\",\"metadata\":{\"source\":\"checkout\",\"attempt\":1},"
                + "\"capture\":true,\"payment_method\":\"pm_card_visa\",\"created\":1764230400}");
    }

    /** About 4 KiB: an order with nested address, line items, a decimal total and escaped text. */
    static byte[] large() {
        return order(3900);
    }

    /** About 64 KiB: the same order with more line items (a bulk import or a big cart). */
    static byte[] huge() {
        return order(65_300);
    }

    /**
     * Issue #10's fingerprint-CPU payload: a 1 MiB array of 1000-digit numbers (the longest Jackson
     * reads), half of each trailing zeros. Canonical numbers were quadratic in their length here.
     */
    static byte[] longNumbers() {
        java.util.Random r = new java.util.Random(10);
        StringBuilder sb = new StringBuilder((1 << 20) + 1002).append('[');
        while (sb.length() < 1 << 20) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append((char) ('1' + r.nextInt(9)));
            for (int i = 1; i < 1000; i++) {
                sb.append(i > 500 ? '0' : (char) ('0' + r.nextInt(10)));
            }
        }
        return utf8(sb.append(']').toString());
    }

    private static byte[] order(int itemsUpTo) {
        StringBuilder sb = new StringBuilder(itemsUpTo + 300);
        sb.append("{\"order_id\":\"ord_5c1e0b7d9a\",\"customer\":{\"id\":\"cus_8f2a91c3\",\"email\":\"a.b@example.com\",")
          .append("\"address\":{\"street\":\"12 Rue de la Paix\",\"city\":\"Paris\",\"zip\":\"75002\",\"country\":\"FR\"}},")
          .append("\"items\":[");
        int i = 0;
        while (sb.length() < itemsUpTo) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"sku\":\"SKU-").append(10000 + i).append("\",\"qty\":").append(1 + i % 3)
              .append(",\"unit_price\":").append(12.5 + i).append(",\"name\":\"Item \\\"")
              .append(i).append("\\\" caf\\u00e9\",\"tags\":[\"a\",\"b\"],\"gift\":").append(i % 2 == 0).append('}');
            i++;
        }
        sb.append("],\"total\":1234.50,\"note\":null,\"client_ts\":\"2026-11-27T08:00:00Z\"}");
        return utf8(sb.toString());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
