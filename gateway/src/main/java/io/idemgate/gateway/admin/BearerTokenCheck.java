package io.idemgate.gateway.admin;

import io.idemgate.gateway.http.Problem;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin token check of SPEC §4: {@code Authorization: Bearer <admin.token>}. Both sides are hashed before
 * the constant-time comparison, so neither the token's content nor its length shows in the timing.
 */
final class BearerTokenCheck {

    private static final String SCHEME = "bearer ";

    private final byte[] expectedDigest;

    /** @param token the configured token; empty disables every token-protected endpoint */
    BearerTokenCheck(String token) {
        this.expectedDigest = token.isEmpty() ? null : sha256(token);
    }

    /** @return the response refusing the request, or {@code null} when the request carries the right token */
    FullHttpResponse refusal(HttpHeaders headers, ByteBufAllocator alloc) {
        if (expectedDigest == null) {
            return AdminResponses.problem(alloc, Problem.ADMIN_TOKEN_NOT_CONFIGURED,
                    "This endpoint needs an admin token; set idemgate.admin.token (or the IDEMGATE_ADMIN_TOKEN "
                            + "environment variable) and restart the gateway");
        }
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return unauthorized(alloc, "Bearer realm=\"idemgate-admin\"",
                    "Send the admin token as 'Authorization: Bearer <token>'");
        }
        String presented = authorization.substring(SCHEME.length()).trim();
        if (!MessageDigest.isEqual(expectedDigest, sha256(presented))) {
            return unauthorized(alloc, "Bearer realm=\"idemgate-admin\", error=\"invalid_token\"",
                    "The admin token is wrong");
        }
        return null;
    }

    private static FullHttpResponse unauthorized(ByteBufAllocator alloc, String challenge, String detail) {
        FullHttpResponse response = AdminResponses.problem(alloc, Problem.ADMIN_UNAUTHORIZED, detail);
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        return response;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
