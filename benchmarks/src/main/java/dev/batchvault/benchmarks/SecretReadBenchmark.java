package dev.batchvault.benchmarks;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchvault.BatchVault;
import dev.batchvault.emulator.AzureEmulator;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A cached {@code BatchVault.secret(name)} against a bare Caffeine lookup and an uncached
 * {@code SecretClient.getSecret} to the emulator on loopback.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SecretReadBenchmark {
    private static final String NAME = BenchmarkVault.SECRET;

    private AzureEmulator azure;
    private Cache<String, String> caffeine;
    private SecretClient client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        azure = AzureEmulator.start();
        BenchmarkVault target = new BenchmarkVault(azure);

        // The process-wide instance, configured as a pool would: system properties (or environment).
        System.setProperty("javax.net.ssl.trustStore", azure.trustStore().toString());
        System.setProperty("javax.net.ssl.trustStorePassword", azure.trustStorePassword());
        target.settings().forEach((k, v) -> System.setProperty("batchvault." + k, v));
        System.setProperty("batchvault.cache-ttl", "1h");
        BatchVault.secret(NAME);

        caffeine = Caffeine.newBuilder().maximumSize(1_000).expireAfterWrite(Duration.ofMinutes(10)).build();
        caffeine.put(NAME, BenchmarkVault.VALUE);

        HttpClient http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext()))
                .build();
        client = new SecretClientBuilder().vaultUrl(target.vault.url()).httpClient(http)
                .disableChallengeResourceVerification()
                .credential(new ClientCertificateCredentialBuilder().tenantId(target.tenant).clientId(target.clientId)
                        .pfxCertificate(new ByteArrayInputStream(Files.readAllBytes(target.pfx))).clientCertificatePassword("")
                        .authorityHost(azure.authorityHost()).disableInstanceDiscovery().httpClient(http).build())
                .buildClient();
        client.getSecret(NAME);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BatchVault.defaultInstance().close();
        azure.close();
    }

    @Benchmark
    public String batchVaultCachedSecret() {
        return BatchVault.secret(NAME);
    }

    @Benchmark
    public String caffeineGetIfPresent() {
        return caffeine.getIfPresent(NAME);
    }

    @Benchmark
    public String secretClientUncached() {
        return client.getSecret(NAME).getValue();
    }
}
