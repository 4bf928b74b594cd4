package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * One service the emulator plays (the token endpoint, a vault, ...): what it answers and in what
 * style it fails. An {@link Endpoint} runs the request lifecycle around it (request ids, injected
 * faults, a crash turned into a 500, the log line, the journal, closing the exchange), so a route
 * only answers. See the module README, "Adding a route".
 */
interface Route {
    /** @return the name in the log and the journal, such as {@code login} or {@code vault poolvault} */
    String name();

    /**
     * Called first for every request, before any fault: set the headers every answer carries (echoed
     * request ids) and count what the route counts. Must not answer.
     *
     * @param exchange the request
     */
    default void received(HttpExchange exchange) {
    }

    /**
     * @param exchange the request (its body unread)
     * @return whether an injected fault may take it; by default every request
     */
    default boolean faultable(HttpExchange exchange) {
        return true;
    }

    /**
     * Answers the request: send a status (and body) on the exchange. Do not close it; the endpoint
     * does. A {@link RuntimeException} becomes a 500 from {@link #crashed}.
     *
     * @param exchange the request
     * @throws IOException if the client went away
     */
    void answer(HttpExchange exchange) throws IOException;

    /**
     * Answers an injected {@link Fault#status(int)} other than 429, in the service's style.
     *
     * @param exchange the request
     * @param status 400 to 599
     * @throws IOException if the client went away
     */
    default void faultStatus(HttpExchange exchange, int status) throws IOException {
        Exchanges.json(exchange, status, plainError("injected", "The request failed with status " + status
                + ". (Fault injected by the emulator.)"));
    }

    /**
     * Answers 429 for an injected throttle or rate limit, in the service's style. The retry headers,
     * if any, are set already.
     *
     * @param exchange the request
     * @param rateLimited whether a {@link Fault#rateLimit rate limit} answers (rather than a throttle)
     * @throws IOException if the client went away
     */
    default void throttled(HttpExchange exchange, boolean rateLimited) throws IOException {
        Exchanges.json(exchange, 429, plainError("throttled", "Too many requests. (Fault injected by the emulator.)"));
    }

    /**
     * Answers 500 after {@link #answer} threw before sending a status, in the service's style.
     *
     * @param exchange the request
     * @param failure what {@link #answer} threw
     * @throws IOException if the client went away
     */
    default void crashed(HttpExchange exchange, RuntimeException failure) throws IOException {
        Exchanges.json(exchange, 500, plainError("internal_error", "The emulator failed: " + failure));
    }

    /** {@code {"error":{"code":..,"message":..}}}, the shape Azure's resource providers use. */
    static ObjectNode plainError(String code, String message) {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return body;
    }
}
