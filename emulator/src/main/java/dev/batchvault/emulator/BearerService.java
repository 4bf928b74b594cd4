package dev.batchvault.emulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.security.PublicKey;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What Microsoft Graph and Azure Resource Manager share: a served endpoint whose callers bring a bearer
 * token, its request and write counts, journal and faults. A subclass names its audiences, its answer to
 * a refused token, and routes the requests whose token checks.
 */
abstract class BearerService implements Route {
    private volatile AzureEmulator.Served served;
    private final BearerCheck bearer;
    private final AtomicLong requests = new AtomicLong();

    BearerService(PublicKey tokenKey) {
        this.bearer = new BearerCheck(tokenKey);
    }

    /** @return {@code https://localhost:<port>}, this service's endpoint */
    public String url() {
        return served.url();
    }

    /** @return every request, with or without a token */
    public long requests() {
        return requests.get();
    }

    /**
     * @return requests that changed something (any method but GET) and succeeded; read from the
     *     journal, which records a request before its answer leaves, so a client that has its answer
     *     always finds its write counted
     */
    public long writes() {
        return journal().requests(r -> !"GET".equals(r.method()) && r.status() >= 200 && r.status() < 300).size();
    }

    /** @return this service's requests, oldest first, with their outcomes */
    public RequestJournal journal() {
        return served.endpoint().journal();
    }

    /**
     * Injects a fault into the next authenticated requests, as at a vault ({@link Vault#inject(Fault)}).
     *
     * @param fault the fault
     */
    public void inject(Fault fault) {
        served.endpoint().faults().add(fault);
    }

    /** Removes every injected fault. */
    public void clearFaults() {
        served.endpoint().faults().clear();
    }

    void served(AzureEmulator.Served served) {
        this.served = served;
    }

    @Override
    public boolean faultable(HttpExchange exchange) {
        return exchange.getRequestHeaders().containsKey("Authorization");
    }

    /** Counts a request that arrived, whatever its outcome. */
    final void count() {
        requests.incrementAndGet();
    }

    /**
     * Checks the request's bearer token for one of {@code audiences}; routes the request if it checks,
     * or answers {@link #unauthorized} if not.
     */
    final void answerWithToken(HttpExchange exchange, String path, Set<String> audiences) throws IOException {
        String method = exchange.getRequestMethod();
        BearerCheck.Result auth = bearer.check(exchange, audiences);
        if (!auth.ok()) {
            unauthorized(exchange, auth.problem);
            return;
        }
        route(exchange, method, path, auth.token);
    }

    /** Answers a request whose token is missing or refused ({@code problem}: "missing" or why). */
    abstract void unauthorized(HttpExchange exchange, String problem) throws IOException;

    /** Answers a request whose token checks. @return the status answered */
    abstract int route(HttpExchange exchange, String method, String path, Jwt token) throws IOException;
}
