package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request lifecycle and the journal, around a route made for the test as a new service would be. */
class EndpointTest {
    static AzureEmulator azure;
    static HttpClient raw;
    static AzureEmulator.Served served;
    static final List<String> received = new CopyOnWriteArrayList<>();

    /** Answers /ok 200, crashes on /crash, forgets to answer on /silent; sees every request first. */
    static final class EchoRoute implements Route {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public void received(HttpExchange exchange) {
            received.add(exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().set("x-echo-request-id", "seen");
        }

        @Override
        public boolean faultable(HttpExchange exchange) {
            return !exchange.getRequestURI().getPath().equals("/never-faulted");
        }

        @Override
        public void answer(HttpExchange exchange) throws IOException {
            switch (exchange.getRequestURI().getPath()) {
                case "/crash":
                    throw new IllegalStateException("boom");
                case "/silent":
                    return;
                default:
                    Exchanges.json(exchange, 200, Jwt.JSON.createObjectNode().put("ok", true));
            }
        }
    }

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        raw = TestSupport.raw(azure);
        served = azure.serve(new EchoRoute(), 0);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void clear() {
        served.endpoint().faults().clear();
        served.endpoint().journal().clear();
        azure.journal().clear();
        received.clear();
    }

    static HttpResponse<String> send(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(served.url() + path + "?secret=query"))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRouteAnswersAndTheJournalHasTheRequestBeforeTheClientHasItsAnswer() throws Exception {
        HttpResponse<String> ok = send("/ok", "Bearer abc");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-echo-request-id")).hasValue("seen");
        RecordedRequest recorded = served.endpoint().journal().take();
        assertThat(recorded.route()).isEqualTo("echo");
        assertThat(recorded.method()).isEqualTo("GET");
        assertThat(recorded.path()).isEqualTo("/ok");
        assertThat(recorded.tokenSent()).isTrue();
        assertThat(recorded.outcome()).isEqualTo(Outcome.answered(200));
        assertThat(recorded.fault()).isEmpty();
        assertThat(recorded.toString()).isEqualTo("echo GET /ok -> 200 [token]").doesNotContain("abc", "query");
        assertThat(azure.journal().requests()).containsExactly(recorded);
        assertThatThrownBy(() -> served.endpoint().journal().take()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCrashOrAMissingAnswerBecomesA500() throws Exception {
        assertThat(send("/crash", null).statusCode()).isEqualTo(500);
        HttpResponse<String> silent = send("/silent", null);
        assertThat(silent.statusCode()).isEqualTo(500);
        assertThat(silent.body()).contains("sent no answer");
        assertThat(served.endpoint().journal().requests()).extracting(RecordedRequest::toString)
                .containsExactly("echo GET /crash -> 500", "echo GET /silent -> 500");
        assertThat(received).containsExactly("/crash", "/silent");
    }

    @Test
    void faultsTakeTheRoutesRequestsInTheRoutesDefaultStyle() throws Exception {
        served.endpoint().faults().add(Fault.status(503).times(1));
        served.endpoint().faults().add(Fault.throttle(Duration.ofSeconds(3)).times(1));
        HttpResponse<String> unavailable = send("/ok", null);
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.body()).contains("Fault injected by the emulator");
        assertThat(unavailable.headers().firstValue("x-echo-request-id")).hasValue("seen");
        assertThat(send("/never-faulted", null).statusCode()).isEqualTo(200);
        HttpResponse<String> throttled = send("/ok", null);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(send("/ok", null).statusCode()).isEqualTo(200);
        assertThat(served.endpoint().journal().requests()).extracting(RecordedRequest::toString).containsExactly(
                "echo GET /ok -> 503 (injected Fault.status(503).times(1))",
                "echo GET /never-faulted -> 200",
                "echo GET /ok -> 429 (injected Fault.throttle(PT3S).times(1))",
                "echo GET /ok -> 200");
    }

    @Test
    void aResetIsJournaledClosedAndAHangHeld() throws Exception {
        served.endpoint().faults().add(Fault.reset());
        HttpRequest post = HttpRequest.newBuilder(URI.create(served.url() + "/ok"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build();
        assertThatThrownBy(() -> raw.send(post, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        served.endpoint().faults().clear();
        served.endpoint().faults().add(Fault.hang().times(1));
        RecordedRequest reset = served.endpoint().journal().take();
        assertThat(reset.outcome()).isEqualTo(Outcome.closed());
        assertThat(reset.status()).isZero();
        assertThat(reset.fault()).hasValue(Fault.reset());

        CompletableFuture<HttpResponse<String>> hung = raw.sendAsync(HttpRequest.newBuilder(
                URI.create(served.url() + "/ok")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        RecordedRequest held = served.endpoint().journal().take(Duration.ofSeconds(30));
        assertThat(held.outcome().kind()).isEqualTo(Outcome.Kind.HELD);
        assertThat(held).hasToString("echo POST /ok -> held unanswered (injected Fault.hang().times(1))");
        assertThat(hung).isNotDone();
        hung.cancel(true);
    }

    @Test
    void theJournalKeepsTheLatestAndCountsAll() {
        RequestJournal journal = new RequestJournal();
        for (int i = 0; i < RequestJournal.CAPACITY + 5; i++) {
            journal.record(new RecordedRequest("r", "GET", "/" + i, false, Outcome.answered(200), null));
        }
        assertThat(journal.count()).isEqualTo(RequestJournal.CAPACITY + 5);
        assertThat(journal.requests()).hasSize(RequestJournal.CAPACITY);
        assertThat(journal.take().path()).isEqualTo("/5");
        assertThat(journal.requests(r -> r.path().equals("/7"))).hasSize(1);
        journal.clear();
        assertThat(journal.count()).isZero();
        assertThat(journal.requests()).isEmpty();
    }

    @Test
    void outcomesAreChecked() {
        assertThatThrownBy(() -> Outcome.answered(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Outcome(Outcome.Kind.CLOSED, 200)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Outcome.answered(503)).hasToString("503");
    }
}
