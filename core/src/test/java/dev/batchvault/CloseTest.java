package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.Fault;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} releases what an instance holds: the cache (a load still running leaves nothing
 * in it), the HTTP client's threads; and closing the process-wide instance under other threads'
 * {@code BatchVault.secret} calls gives them a rebuilt instance, never {@link IllegalStateException}.
 */
class CloseTest extends WithFixture {
    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    @Test
    void aLoadStillRunningAtCloseLeavesNothingInTheCache() throws Exception {
        fixture.vault.setSecret("closedDuringLoad", "v");
        fixture.vault.inject(Fault.latency(Duration.ofSeconds(2)));
        BatchVault vault = fixture.builder().processWide(new ProcessWide()).build();
        CompletableFuture<Object> load = CompletableFuture.supplyAsync(() -> {
            try {
                return vault.get("closedDuringLoad");
            } catch (RuntimeException e) {
                return e;
            }
        });
        while (fixture.vault.requestsWithToken() == 0) {
            Thread.sleep(10);
        }
        vault.close();
        load.get(30, TimeUnit.SECONDS);
        assertThat(vault.cacheSize()).as("entries written into the closed instance").isZero();
    }

    @Test
    void closedInstancesReleaseTheirHttpThreads() throws Exception {
        fixture.vault.setSecret("cycles", "v");
        cycle(); // the classes and the process's own threads, once
        int before = threads();
        for (int i = 0; i < 40; i++) {
            cycle();
        }
        // The JDK client's selector thread ends once its client is unreachable: let the collector see that.
        int after = threads();
        for (int i = 0; i < 100 && after > before + 4; i++) {
            System.gc();
            Thread.sleep(100);
            after = threads();
        }
        assertThat(after).as("threads after 40 build/get/close cycles (%d before): %s", before, threadNames())
                .isLessThanOrEqualTo(before + 4);
    }

    private static void cycle() {
        try (BatchVault vault = fixture.builder().build()) {
            assertThat(vault.get("cycles").value()).isEqualTo("v");
        }
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static List<String> threadNames() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            names.add(e.getKey().getName());
        }
        return names;
    }

    @Test
    void closingTheProcessWideInstanceUnderCallersGivesThemARebuiltOne() throws Exception {
        fixture.vault.setSecret("processWide", "pw");
        Map<String, String> settings = Map.of("batchvault.vault-url", fixture.vault.url(),
                "batchvault.tenant-id", Fixture.TENANT, "batchvault.client-id", Fixture.CLIENT,
                "batchvault.authority-host", fixture.emulator.authorityHost(),
                "batchvault.certificate-path", fixture.pfx.toString(),
                "batchvault.certificate-password-file", fixture.passwordFile.toString(),
                "batchvault.cache-ttl", "PT0.001S");
        SSLContext jvmDefault = SSLContext.getDefault();
        settings.forEach(System::setProperty);
        SSLContext.setDefault(fixture.emulator.sslContext());
        ExecutorService callers = Executors.newFixedThreadPool(8);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Future<List<Throwable>>> running = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                running.add(callers.submit(() -> {
                    List<Throwable> failures = new ArrayList<>();
                    while (!stop.get()) {
                        try {
                            assertThat(BatchVault.secret("processWide")).isEqualTo("pw");
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                    return failures;
                }));
            }
            for (int i = 0; i < 30; i++) {
                BatchVault.defaultInstance().close();
                Thread.sleep(20);
            }
            stop.set(true);
            List<Throwable> failures = new ArrayList<>();
            for (Future<List<Throwable>> f : running) {
                failures.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(failures).as("what callers saw while the process-wide instance was closed under them")
                    .allSatisfy(e -> assertThat(e).isNotInstanceOf(IllegalStateException.class)
                            .isInstanceOf(VaultUnavailableException.class)
                            .hasMessageContaining("process-wide BatchVault was closed"));
        } finally {
            stop.set(true);
            callers.shutdownNow();
            BatchVault.defaultInstance().close();
            settings.keySet().forEach(System::clearProperty);
            SSLContext.setDefault(jvmDefault);
        }
    }
}
