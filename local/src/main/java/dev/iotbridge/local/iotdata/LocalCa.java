package dev.iotbridge.local.iotdata;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away certificate authority for the local iot-data endpoint over TLS, made at start-up
 * with the JDK's {@code keytool} (no extra library): a CA, and a server certificate it signs for
 * {@code 127.0.0.1} / {@code localhost}. RSA 2048, as AWS IoT's endpoint certificates.
 *
 * <p>Clients trust it through the usual switches: {@link #caPem()} for Python/boto3
 * ({@code AWS_CA_BUNDLE}) and {@link #trustStore()} for Java
 * ({@code -Djavax.net.ssl.trustStore=…}, no password).
 */
public final class LocalCa {
    /** Password of the generated stores: nothing secret, they live for one run. */
    public static final String PASSWORD = "iot-bridge-local";

    private final Path dir;

    private LocalCa(Path dir) {
        this.dir = dir;
    }

    /** Generates the CA and the server certificate into {@code dir} (about a second per keytool call). */
    public static LocalCa create(Path dir) throws IOException {
        Files.createDirectories(dir);
        LocalCa ca = new LocalCa(dir);
        for (String f : List.of("ca.p12", "server.p12", "truststore.p12", "ca.pem", "server.csr", "server.pem")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=iot-bridge local CA", "-ext", "bc:c", "-keystore", "ca.p12");
        ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
        ca.keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-keystore", "server.p12");
        ca.keytool("-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
        ca.keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr",
                "-outfile", "server.pem", "-validity", "2",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth", "-ext", "ku:c=digitalSignature,keyEncipherment");
        ca.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "server.p12");
        ca.keytool("-importcert", "-noprompt", "-alias", "server", "-file", "server.pem", "-keystore", "server.p12");
        // Readable without a password, like the JDK's own cacerts: no encrypted certificates and no
        // integrity MAC, so loading it costs no PBKDF2 (10,000 rounds of HMAC-SHA256 each by default),
        // a start-up cost a function on Lambda, trusting the built-in roots, never pays
        ca.keytool("-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE",
                "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12");
        return ca;
    }

    /** The CA certificate, PEM (for {@code AWS_CA_BUNDLE}, curl {@code --cacert}, Python's {@code verify=}). */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A PKCS12 trust store holding only the CA, read without a password (for {@code javax.net.ssl.trustStore}). */
    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    /** The JVM system properties that make a Java client trust this CA. */
    public List<String> javaTrustOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore(), "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /** The server side: the certificate chain for 127.0.0.1 and its key. */
    public SSLContext serverContext() throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the local CA's server key store " + dir.resolve("server.p12") + ": " + e, e);
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add("-J-XX:TieredStopAtLevel=1");
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IOException("keytool " + args[0] + " failed (" + String.join(" ", cmd) + "):\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
