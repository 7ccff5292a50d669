package io.idemgate.gateway.admin;

/** The {@code /admin/records} suite on the embedded store. */
class AdminRecordsMemoryIT extends AdminRecordsIT {

    @Override
    protected String storeConfig() {
        return "idemgate.store.type = memory";
    }
}
