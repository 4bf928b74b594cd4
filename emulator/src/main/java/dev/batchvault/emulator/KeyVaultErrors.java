package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** Key Vault's error answers: the body, its codes, and the words of an injected fault. */
final class KeyVaultErrors {
    private KeyVaultErrors() {
    }

    /** The outer error code (and {@code x-ms-error-code}) of an injected status. */
    static String faultCode(int status) {
        switch (status) {
            case 400: return "BadParameter";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "NotFound";
            case 405: return "MethodNotAllowed";
            case 408: return "RequestTimeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 412: return "PreconditionFailed";
            case 413: return "RequestEntityTooLarge";
            case 429: return "Throttled";
            case 500: return "InternalServerError";
            case 501: return "NotImplemented";
            case 502: return "BadGateway";
            case 503: return "ServiceUnavailable";
            case 504: return "GatewayTimeout";
            default: return status < 500 ? "BadRequest" : "InternalServerError";
        }
    }

    /** Key Vault's message for an injected status. */
    static String faultMessage(int status) {
        switch (status) {
            case 500: return "The service encountered an internal error. Please retry the request.";
            case 502: return "The service received an invalid response from an upstream server. Please retry the request.";
            case 503: return "The service is unavailable. Please retry the request later.";
            case 504: return "The service did not answer in time. Please retry the request.";
            case 408: return "The request timed out. Please retry the request.";
            default: return "The request failed with status " + status + ".";
        }
    }

    /**
     * Answers with Key Vault's error body and {@code x-ms-error-code}.
     *
     * @return the status answered
     */
    static int error(HttpExchange exchange, int status, String code, String innerCode, String message)
            throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (innerCode != null) {
            error.putObject("innererror").put("code", innerCode);
        }
        exchange.getResponseHeaders().set("x-ms-error-code", code);
        Exchanges.json(exchange, status, body);
        return status;
    }
}
