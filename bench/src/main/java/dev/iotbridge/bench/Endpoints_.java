package dev.iotbridge.bench;

/** Opens the endpoints a run talks to. */
final class Endpoints_ {
    private Endpoints_() {}

    static StackEndpoints open(Options o) throws Exception {
        return StackEndpoints.open(o);
    }
}
