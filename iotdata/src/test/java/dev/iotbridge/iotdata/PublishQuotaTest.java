package dev.iotbridge.iotdata;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The iot-data endpoint's publish quota: the bucket's arithmetic on a fake clock, and the 429 a client sees. */
class PublishQuotaTest {

    @Test
    void aSteadyRateUpToTheQuotaPassesAndNothingBeyondIt() {
        AtomicLong now = new AtomicLong();
        PublishQuota q = new PublishQuota(10, now::get);
        for (int i = 0; i < 10; i++) assertTrue(q.tryAcquire(), "request " + i + " of the first second's burst");
        assertFalse(q.tryAcquire(), "the 11th request in the same instant is over the quota");
        now.addAndGet(100_000_000);   // 100 ms: one request's worth at 10/s
        assertTrue(q.tryAcquire());
        assertFalse(q.tryAcquire());
        int passed = 0;
        for (int ms = 0; ms < 10_000; ms++) {   // 10 s offered at 1,000 requests/s
            now.addAndGet(1_000_000);
            if (q.tryAcquire()) passed++;
        }
        assertEquals(100, passed, "10 s at the quota of 10/s");
    }

    @Test
    void anIdleSecondSavesAtMostOneSecondsWorth() {
        AtomicLong now = new AtomicLong();
        PublishQuota q = new PublishQuota(5, now::get);
        now.addAndGet(60_000_000_000L);
        int burst = 0;
        while (q.tryAcquire()) burst++;
        assertEquals(5, burst);
    }

    @Test
    void aQuotaBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PublishQuota(0, System::nanoTime));
    }

    @Test
    void requestsBeyondTheQuotaGet429ThrottlingExceptionAndAreNotPublished() throws Exception {
        Recorder recorder = new Recorder();
        try (IotDataServer ep = new IotDataServer(0, recorder)) {
            ep.start();
            assertThrows(IllegalArgumentException.class, () -> ep.setPublishQuota(-1));
            ep.setPublishQuota(2);
            assertEquals(2, ep.publishQuota());
            HttpClient http = HttpClient.newHttpClient();
            int requests = 40;
            int ok = 0;
            HttpResponse<String> refused = null;
            long t0 = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ep.url() + "/topics/q/t?qos=1"))
                        .POST(HttpRequest.BodyPublishers.ofString("m" + i)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) ok++;
                else refused = r;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // the first second's worth passes at once; after that 2 a second, however slow the machine
            assertTrue(ok >= 2, ok + " passed");
            assertTrue(ok <= 2 + Math.ceil(2 * seconds), ok + " of " + requests + " passed in " + seconds + " s at 2/s");
            assertTrue(refused != null, "none of " + requests + " requests in " + seconds + " s was refused at 2/s");
            assertEquals(requests - ok, ep.quotaThrottled());
            assertEquals(ok, recorder.published().size(), "a throttled request is not published");
            assertEquals(429, refused.statusCode());
            assertEquals("ThrottlingException", refused.headers().firstValue("x-amzn-ErrorType").orElse(null));
            assertTrue(refused.body().contains("\"message\""), refused.body());
            ep.setPublishQuota(0);
            assertEquals(0, ep.publishQuota());
            for (int i = 0; i < 10; i++) {
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(ep.url() + "/topics/q/t"))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }
        }
    }
}
