package dev.iotbridge.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** How bench and load write their results files: one JSON mapper (indented, for diffs), numbers rounded for reading. */
public final class Results {
    private Results() {}

    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code v} to {@code digits} decimals; NaN and infinities as they are. */
    public static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
