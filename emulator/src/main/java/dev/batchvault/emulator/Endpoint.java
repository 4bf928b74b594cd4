package dev.batchvault.emulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request lifecycle, once for every route: the whole request body is read first (see below),
 * the route sees the request ({@link Route#received}),
 * an injected fault may take it, otherwise the route answers, a crash becomes a 500, the request is
 * journaled before its answer leaves, logged at DEBUG, and the exchange is closed unless a fault
 * holds it. Thread-safe.
 *
 * <p>Why the body is read before anything answers: the JDK server drains an unread request body
 * only when the exchange ends, after the answer has gone out. A keep-alive client that has its
 * answer may already have sent its next request on the same connection; over TLS the drain then
 * reads that request's records into the TLS layer's buffer, where the server's check for buffered
 * data ({@code available()}, decrypted bytes only) does not see them, so the connection goes back
 * to the selector with a whole request waiting that no new bytes will ever announce. The client
 * waits until its timeout. An answer sent only after the request is read leaves nothing to drain.
 */
final class Endpoint implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);

    private final Route route;
    private final Faults faults = new Faults();
    private final RequestJournal journal;

    /**
     * @param route the service answering
     * @param emulatorJournal the emulator's journal, which sees this route's requests too
     */
    Endpoint(Route route, RequestJournal emulatorJournal) {
        this.route = route;
        this.journal = new RequestJournal(emulatorJournal);
    }

    /** @return the faults injected into this route */
    Faults faults() {
        return faults;
    }

    /** @return this route's requests */
    RequestJournal journal() {
        return journal;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Call call = new Call(exchange);
        Outcome outcome = null;
        try {
            call.readBody();
            route.received(call);
            Faults.Taken taken = route.faultable(call) ? faults.take() : null;
            call.fault = taken == null ? null : taken.fault;
            Optional<Outcome> faulted = taken == null ? Optional.empty() : faults.serve(call, taken, route);
            outcome = faulted.isPresent() ? faulted.get() : answer(call);
            call.record(outcome);
        } finally {
            if (outcome == null || outcome.kind() != Outcome.Kind.HELD) {
                call.close();
            }
            LOG.debug("{} {} {} -> {}{}", route.name(), call.method, call.path, outcome == null ? "failed" : outcome,
                    call.fault == null ? "" : " (injected " + call.fault + ")");
        }
    }

    private Outcome answer(Call call) throws IOException {
        try {
            route.answer(call);
        } catch (RuntimeException e) {
            LOG.warn("{} {} {} failed: {}", route.name(), call.method, call.path, e.toString());
            if (call.status == 0) {
                route.crashed(call, e);
            }
        }
        if (call.status == 0) {
            route.crashed(call, new IllegalStateException("the route " + route.name() + " sent no answer"));
        }
        return Outcome.answered(call.status);
    }

    /**
     * The exchange as the route sees it: the request is journaled when the status is sent (so before
     * the client can read the answer), or when the exchange closes without one.
     */
    private final class Call extends HttpsExchange {
        private final HttpExchange exchange;
        private final String method;
        private final String path;
        private final boolean tokenSent;
        private volatile Fault fault;
        private byte[] body;
        private volatile int status;
        private boolean recorded;

        Call(HttpExchange exchange) {
            this.exchange = exchange;
            this.method = exchange.getRequestMethod();
            this.path = exchange.getRequestURI().getPath();
            this.tokenSent = exchange.getRequestHeaders().containsKey("Authorization");
        }

        /** Reads the whole request body, so that nothing is left to drain after the answer. */
        void readBody() throws IOException {
            body = exchange.getRequestBody().readAllBytes();
        }

        synchronized void record(Outcome outcome) {
            if (!recorded) {
                recorded = true;
                journal.record(new RecordedRequest(route.name(), method, path, tokenSent, outcome, fault));
            }
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            status = rCode;
            record(Outcome.answered(rCode));
            exchange.sendResponseHeaders(rCode, responseLength);
        }

        @Override
        public void close() {
            if (status == 0) {
                record(Outcome.closed());
            }
            exchange.close();
        }

        @Override
        public Headers getRequestHeaders() {
            return exchange.getRequestHeaders();
        }

        @Override
        public Headers getResponseHeaders() {
            return exchange.getResponseHeaders();
        }

        @Override
        public URI getRequestURI() {
            return exchange.getRequestURI();
        }

        @Override
        public String getRequestMethod() {
            return exchange.getRequestMethod();
        }

        @Override
        public HttpContext getHttpContext() {
            return exchange.getHttpContext();
        }

        @Override
        public InputStream getRequestBody() {
            return body == null ? exchange.getRequestBody() : new ByteArrayInputStream(body);
        }

        @Override
        public OutputStream getResponseBody() {
            return exchange.getResponseBody();
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return exchange.getRemoteAddress();
        }

        @Override
        public int getResponseCode() {
            return exchange.getResponseCode();
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return exchange.getLocalAddress();
        }

        @Override
        public String getProtocol() {
            return exchange.getProtocol();
        }

        @Override
        public Object getAttribute(String name) {
            return exchange.getAttribute(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            exchange.setAttribute(name, value);
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
            exchange.setStreams(i, o);
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return exchange.getPrincipal();
        }

        @Override
        public SSLSession getSSLSession() {
            return exchange instanceof HttpsExchange ? ((HttpsExchange) exchange).getSSLSession() : null;
        }
    }
}
