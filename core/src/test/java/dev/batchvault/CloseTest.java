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
        BatchVault vault = fixture.builder().processWide(new ProcessWide()).build();
        long withToken = fixture.vault.requestsWithToken();
        fixture.vault.inject(Fault.latency(Duration.ofSeconds(2)));
        CompletableFuture<Object> load = CompletableFuture.supplyAsync(() -> {
            try {
                return vault.get("closedDuringLoad");
            } catch (RuntimeException e) {
                return e;
            }
        });
        while (fixture.vault.requestsWithToken() == withToken) {
            Thread.sleep(10); // until the read is at the vault, which answers 2 s later
        }
        vault.close();
        assertThat(load.get(30, TimeUnit.SECONDS)).as("the read still running completes").isInstanceOf(Secret.class);
        assertThat(vault.cacheSize()).as("entries written into the closed instance").isZero();
    }

    /** No garbage collection is asked for: a JDK client's threads otherwise go only when it is collected. */
    @Test
    void buildingAndClosingInstancesDoesNotAddThreads() {
        fixture.vault.setSecret("cycles", "v");
        for (int i = 0; i < 5; i++) {
            cycle(); // the classes, the process's transport for this TLS context, azure-core's bounded pools
        }
        int before = threads();
        for (int i = 0; i < 40; i++) {
            cycle();
        }
        int after = threads();
        assertThat(after).as("threads after 40 build/get/close cycles (%d before): %s", before, threadNames())
                .isLessThanOrEqualTo(before + 10); // each cycle left 2 or 3 threads behind before the fix
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
