package dev.batchvault;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * The JDK transport, its failures left to the caller to report. azure-core's JDK client logs an
 * ERROR for every request that fails with an I/O error on its synchronous path, and then throws:
 * BatchVault retries such failures and reports the one that ends a call itself, so each would be
 * reported twice, or for nothing. The asynchronous path of the same client sends the same request
 * (same timeouts, same TLS) and only signals the failure; the synchronous one here waits for it and
 * throws what the synchronous path throws ({@link UncheckedIOException} for an I/O error), without
 * the log line.
 */
final class QuietTransport implements HttpClient {
    private final HttpClient delegate;

    QuietTransport(HttpClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return delegate.send(request);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request, Context context) {
        return delegate.send(request, context);
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        try {
            return delegate.send(request, context).block();
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            if (cause instanceof IOException) {
                throw new UncheckedIOException((IOException) cause);
            }
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new RuntimeException(cause);
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw e;
        }
    }
}
