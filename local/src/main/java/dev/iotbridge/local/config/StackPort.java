package dev.iotbridge.local.config;

/**
 * The local stack's TCP ports, each named once: its key under {@code ports} in
 * {@code bridge.local.json}, its command-line flag ({@code --<flag> N}, also {@code -Dbridge.<flag>=N})
 * and its default. 0 anywhere means a free port picked at start.
 */
public enum StackPort {
    SOURCE_MQTT("source_mqtt", "sourceMqttPort", 1883, "the source account's IoT Core broker (MQTT)"),
    DESTINATION_MQTT("destination_mqtt", "destinationMqttPort", 1884, "the destination account's IoT Core broker (MQTT)"),
    SQS("sqs", "sqsPort", 9324, "SQS (ElasticMQ): the queue and its DLQ"),
    RUNTIME_API("runtime_api", "runtimeApiPort", 9001, "the Lambda Runtime API of function instance 0 (instance i: this + i)"),
    IOT_DATA("iot_data", "iotDataPort", 9080, "the destination account's iot-data Publish API"),
    SOURCE_IOT_DATA("source_iot_data", "sourceIotDataPort", 9081, "the source account's iot-data Publish API (make up)"),
    CONTROL("control", "controlPort", 9082, "the control plane: IoT rules, Lambda configuration, SQS queue policy (make up)");

    private final String key;
    private final String flag;
    private final int defaultPort;
    private final String what;

    StackPort(String key, String flag, int defaultPort, String what) {
        this.key = key;
        this.flag = flag;
        this.defaultPort = defaultPort;
        this.what = what;
    }

    /** The key under {@code ports} in the settings file. */
    public String key() { return key; }

    /** The command-line flag without its dashes, and the system property {@code bridge.<flag>}. */
    public String flag() { return flag; }

    public int defaultPort() { return defaultPort; }

    /** What listens there, for help texts. */
    public String what() { return what; }

    /** The port of this key of the settings file; null for a key that names none. */
    public static StackPort ofKey(String key) {
        for (StackPort p : values()) {
            if (p.key.equals(key)) return p;
        }
        return null;
    }
}
