package dev.batchvault;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
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
    /** Retries, backoff and the deadline are {@link CallPolicy}'s: one place, one deadline, one count. */
    static final RetryOptions NO_SDK_RETRIES = new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(0));

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
     * The JDK client's threads, ours so that {@link #close()} can let them go: by default each client
     * has a pool of its own whose idle threads outlive the instance by a minute. It is never shut
     * down, because a request still running needs it to complete (a rejected task would leave its
     * caller waiting forever); after close its idle threads end at once.
     */
    private final ThreadPoolExecutor executor;

    AzurePipeline(Config config) {
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "batchvault-http-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder().executor(executor);
        if (config.sslContext != null) {
            jdk.sslContext(config.sslContext);
        }
        this.http = new JdkHttpClientBuilder(jdk)
                .connectionTimeout(config.requestTimeout)
                .responseTimeout(config.requestTimeout)
                .readTimeout(config.requestTimeout)
                .build();
    }

    /**
     * Lets the client's threads end as soon as they are idle; requests still running complete. The
     * JDK client's selector thread and its pooled connections go once the client is unreachable.
     */
    void close() {
        executor.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
    }
}
