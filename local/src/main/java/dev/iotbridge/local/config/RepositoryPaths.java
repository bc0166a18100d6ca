package dev.iotbridge.local.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the local stack finds what it takes from the repository, each overridable by a system
 * property (the Maven build sets them for the tests).
 */
public final class RepositoryPaths {
    /** The function artifact {@code make package} builds, relative to the repository root. */
    public static final String FUNCTION_ZIP = "function/target/function.zip";

    private RepositoryPaths() {}

    /** The repository root: -Dbridge.root, else the nearest parent of the working dir holding local/pom.xml; null if none. */
    public static Path root() {
        String prop = System.getProperty("bridge.root");
        if (prop != null) return Path.of(prop).toAbsolutePath().normalize();
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("local/pom.xml"))) return p;
            p = p.getParent();
        }
        return null;
    }

    /** A path relative to the repository root (as is when absolute or when there is no root). */
    public static Path resolve(String path) {
        Path p = Path.of(path);
        Path root = root();
        return p.isAbsolute() || root == null ? p : root.resolve(p);
    }

    /** {@code local/bridge.local.json}. */
    public static Path settingsFile() { return resolve("local/bridge.local.json"); }

    /** Where {@code make up} and {@code make demo} keep their work dirs and outputs: {@code local/run}. */
    public static Path runDir() { return resolve("local/run"); }

    /** The function artifact: -Dlocal.function.zip, else {@link #FUNCTION_ZIP}. */
    public static Path functionZip() {
        String prop = System.getProperty("local.function.zip");
        return prop != null ? Path.of(prop) : resolve(FUNCTION_ZIP);
    }

    /** The source module's rule SQL template: -Dbridge.template, else terraform/modules/source/templates/rule.sql.tftpl. */
    public static Path ruleTemplate() {
        String prop = System.getProperty("bridge.template");
        if (prop != null) return Path.of(prop);
        if (root() == null) throw new IllegalStateException("cannot find the repository root (set -Dbridge.root)");
        return resolve("terraform/modules/source/templates/rule.sql.tftpl");
    }

    /** AWS's runtime interface client for the JVM function: -Dbridge.ric.dir, else local/target/ric; null without a root. */
    public static Path ricDir() {
        String prop = System.getProperty("bridge.ric.dir");
        if (prop != null) return Path.of(prop);
        return root() == null ? null : resolve("local/target/ric");
    }

    /** The canary route Terraform uses too: terraform/canary-route.json. */
    public static Path canaryRouteFile() {
        if (root() == null) {
            throw new IllegalStateException("cannot find the repository root for terraform/canary-route.json (set -Dbridge.root)");
        }
        return resolve("terraform/canary-route.json");
    }

    /** A path as shown in progress lines: relative to the repository root where it lies under it. */
    public static String shown(Path p) {
        Path root = root();
        Path abs = p.toAbsolutePath().normalize();
        return root != null && abs.startsWith(root) ? root.relativize(abs).toString() : p.toString();
    }
}
