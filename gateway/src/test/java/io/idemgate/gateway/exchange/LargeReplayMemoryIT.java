package io.idemgate.gateway.exchange;

/** Large replays on the embedded memory store. */
class LargeReplayMemoryIT extends LargeReplayIT {

    @Override
    protected String storeConfig() {
        return "idemgate.store.type = memory";
    }

    @Override
    protected boolean chunksLiveInTheStore() {
        return false;
    }
}
