package dev.iotbridge.local.iotdata;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Faults the local iot-data endpoint injects, per request, at the given rates (0.0–1.0, drawn
 * independently in this order: outage, reset, throttle, 500, 503, slow). Immutable; swap the
 * whole plan at run time with {@link IotDataEndpoint#setFaultPlan(FaultPlan)}.
 *
 * <ul>
 *   <li>{@code throttle}: HTTP 429 ThrottlingException ("Rate exceeded")</li>
 *   <li>{@code serverError}: HTTP 500 InternalFailureException</li>
 *   <li>{@code unavailable}: HTTP 503 ServiceUnavailableException</li>
 *   <li>{@code slow}: the request is held for {@code slowDelay} before it is handled normally
 *       (the message IS published then, so a client that timed out and retried makes a
 *       duplicate, as with the real service)</li>
 *   <li>{@code reset}: the connection is closed without a response</li>
 *   <li>{@code outage}: every request gets 503 (destination down)</li>
 * </ul>
 */
public record FaultPlan(double throttle, double serverError, double unavailable, double slow,
                        Duration slowDelay, double reset, boolean outage) {

    public enum Fault { NONE, THROTTLE, SERVER_ERROR, UNAVAILABLE, SLOW, RESET, OUTAGE }

    public static final FaultPlan NONE = new FaultPlan(0, 0, 0, 0, Duration.ZERO, 0, false);

    public FaultPlan {
        for (double r : new double[]{throttle, serverError, unavailable, slow, reset}) {
            if (r < 0 || r > 1) throw new IllegalArgumentException("fault rates must be within 0..1");
        }
        slowDelay = slowDelay == null ? Duration.ZERO : slowDelay;
    }

    public static FaultPlan none() { return NONE; }

    /** Every request fails with 503 until the plan is replaced. */
    public static FaultPlan outageNow() { return new FaultPlan(0, 0, 0, 0, Duration.ZERO, 0, true); }

    /**
     * A mix of transient faults totalling about {@code totalRate}: equal shares of 429, 500, 503,
     * slow (past {@code slowDelay}) and connection reset.
     */
    public static FaultPlan mixed(double totalRate, Duration slowDelay) {
        double s = totalRate / 5;
        return new FaultPlan(s, s, s, s, slowDelay, s, false);
    }

    public FaultPlan withThrottle(double r) { return new FaultPlan(r, serverError, unavailable, slow, slowDelay, reset, outage); }
    public FaultPlan withServerError(double r) { return new FaultPlan(throttle, r, unavailable, slow, slowDelay, reset, outage); }
    public FaultPlan withUnavailable(double r) { return new FaultPlan(throttle, serverError, r, slow, slowDelay, reset, outage); }
    public FaultPlan withSlow(double r, Duration d) { return new FaultPlan(throttle, serverError, unavailable, r, d, reset, outage); }
    public FaultPlan withReset(double r) { return new FaultPlan(throttle, serverError, unavailable, slow, slowDelay, r, outage); }
    public FaultPlan withOutage(boolean o) { return new FaultPlan(throttle, serverError, unavailable, slow, slowDelay, reset, o); }

    /** Draws the fault for one request. */
    public Fault draw() {
        if (outage) return Fault.OUTAGE;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (reset > 0 && r.nextDouble() < reset) return Fault.RESET;
        if (throttle > 0 && r.nextDouble() < throttle) return Fault.THROTTLE;
        if (serverError > 0 && r.nextDouble() < serverError) return Fault.SERVER_ERROR;
        if (unavailable > 0 && r.nextDouble() < unavailable) return Fault.UNAVAILABLE;
        if (slow > 0 && r.nextDouble() < slow) return Fault.SLOW;
        return Fault.NONE;
    }
}
