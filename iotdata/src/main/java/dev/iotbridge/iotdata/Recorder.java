package dev.iotbridge.iotdata;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link Destination} that keeps every publish, in the order accepted, for tests to read. Retains nothing. */
public final class Recorder implements Destination {
    private final List<Publish> published = new CopyOnWriteArrayList<>();

    @Override
    public void publish(Publish p) {
        published.add(p);
    }

    @Override
    public Optional<RetainedMessage> retained(String topic) {
        return Optional.empty();
    }

    /** Every publish so far (a copy). */
    public List<Publish> published() {
        return new ArrayList<>(published);
    }

    public void clear() {
        published.clear();
    }
}
