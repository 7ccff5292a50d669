package io.idemgate.gateway.admin;

/**
 * Problem types only the admin port answers. Same shape and type prefix as {@link io.idemgate.gateway.http.Problem};
 * they live here because that catalogue has no 401, 403, 405 or 500 yet. Move them there when it gets them.
 */
public enum AdminProblem {
    UNAUTHORIZED(401, "admin-unauthorized", "Admin token missing or wrong"),
    TOKEN_NOT_CONFIGURED(403, "admin-token-not-configured", "Admin endpoint disabled"),
    NOT_FOUND(404, "admin-not-found", "No admin endpoint at this path"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    INTERNAL_ERROR(500, "internal-error", "Internal error");

    private static final String TYPE_PREFIX = "urn:idemgate:problem:";

    private final int status;
    private final String type;
    private final String title;

    AdminProblem(int status, String slug, String title) {
        this.status = status;
        this.type = TYPE_PREFIX + slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
