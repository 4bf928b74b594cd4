package dev.batchvault;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * What every Azure client BatchVault builds (the vault's, the credential's) has in common: one JDK
 * HTTP transport with the configured timeouts and TLS, HTTP logging off, no SDK retries (the
 * {@link CallPolicy} retries), and no caller-set Content-Length.
 */
final class AzurePipeline {
    /**
     * Retries, backoff and the deadline are {@link CallPolicy}'s: one place, one deadline, one count. So
     * the SDK's retry policy passes each request straight on. A builder always puts a retry policy in
     * its pipeline (the default one when none is given), and azure-core's {@code RetryPolicy} with zero
     * retries logs "Retry attempts have been exhausted" on every request: at INFO after each success,
     * twice at ERROR for each failure. This one has nothing to say.
     */
    static final RetryPolicy NO_SDK_RETRIES = new RetryPolicy() {
        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            return next.processSync();
        }
    };

    /**
     * java.net.http sets Content-Length itself and refuses it from callers; azure-core's JDK transport
     * logs a WARN each time a request carries one (the Key Vault client's requests do). Dropping it
     * just before the transport keeps task logs clean.
     */
    static final HttpPipelinePolicy DROP_CONTENT_LENGTH = new HttpPipelinePolicy() {
        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    };

    final HttpClient http;
    /** Never log bodies or headers, whatever AZURE_HTTP_LOG_DETAIL_LEVEL says: bodies hold secret values. */
    final HttpLogOptions noHttpLogs = new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE);

    /**
     * A pipeline on a transport of its own (tests).
     *
     * @param config the timeouts and TLS context
     */
    AzurePipeline(Config config) {
        this.http = transport(config);
    }

    /**
     * A pipeline on the process's shared transport for this TLS context and timeout: instances built
     * and closed one after another reuse its threads and pooled connections instead of each leaving
     * a JDK client behind (a JDK 11 to 20 client cannot be closed; its selector thread and pool go only
     * when it is garbage collected).
     *
     * @param config the timeouts and TLS context
     * @param process where the shared transports are kept
     */
    AzurePipeline(Config config, ProcessWide process) {
        this.http = process.transport(config.sslContext, config.requestTimeout, () -> transport(config));
    }

    private static HttpClient transport(Config config) {
        AtomicInteger threads = new AtomicInteger();
        // Daemon threads that end after 30 s idle (the JDK's default pool keeps them a minute, not daemon).
        ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "batchvault-http-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder().executor(executor);
        if (config.sslContext != null) {
            jdk.sslContext(config.sslContext);
        }
        return new JdkHttpClientBuilder(jdk)
                .connectionTimeout(config.requestTimeout)
                .responseTimeout(config.requestTimeout)
                .readTimeout(config.requestTimeout)
                .build();
    }
}
