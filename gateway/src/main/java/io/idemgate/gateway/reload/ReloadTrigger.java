package io.idemgate.gateway.reload;

/** What asked for a reload; logged with each reload so an operator can tell an edit from a deploy hook. */
public enum ReloadTrigger {
    ADMIN("admin"),
    SIGNAL("sighup"),
    FILE_CHANGE("file-change");

    private final String label;

    ReloadTrigger(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
