package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Locale;

/**
 * What every resource provider of the emulator's Resource Manager shares: ARM's JSON error body, the
 * answers to a request no provider serves or a caller may not make, the request body, and resource id
 * arithmetic.
 */
final class Arm {
    private Arm() {
    }

    /** @return the request's JSON body, or null if it is not JSON */
    static JsonNode readJson(HttpExchange exchange) throws IOException {
        try {
            return Jwt.JSON.readTree(Exchanges.body(exchange));
        } catch (IOException e) {
            return null;
        }
    }

    /** Answers ARM's {@code {"error": {"code", "message"}}}. @return the status */
    static int error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        exchange.getResponseHeaders().set("x-ms-failure-cause", status == 403 ? "gateway" : "service");
        Exchanges.json(exchange, status, body);
        return status;
    }

    /** Answers a request no route serves. @return the status */
    static int noRoute(HttpExchange exchange, String method, String path) throws IOException {
        return error(exchange, 400, "NoRegisteredProviderFound", "The emulator's Resource Manager has no route "
                + method + " " + path + ". It serves Microsoft.KeyVault/vaults (GET, PUT, PATCH, accessPolicies/{add,"
                + "replace,remove}) and Microsoft.Authorization roleDefinitions (GET) and roleAssignments (GET, PUT, "
                + "DELETE) at subscription, resource group and resource scopes.");
    }

    /** Answers a request whose caller may not do {@code action} at {@code scope}. @return the status */
    static int forbidden(HttpExchange exchange, String caller, String action, String scope) throws IOException {
        return error(exchange, 403, "AuthorizationFailed", "The client '" + caller + "' with object id '" + caller
                + "' does not have authorization to perform action '" + action + "' over scope '" + scope
                + "' or the scope is invalid. If access was recently granted, please refresh your credentials.");
    }

    /** @return the id's last segment, lower case */
    static String lastSegment(String id) {
        return id.substring(id.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    }

    /** An assignment at {@code outer} applies at {@code inner}: the same scope or one below it. */
    static boolean covers(String outer, String inner) {
        String o = BearerCheck.trimSlash(outer).toLowerCase(Locale.ROOT);
        String i = BearerCheck.trimSlash(inner).toLowerCase(Locale.ROOT);
        return i.equals(o) || i.startsWith(o + "/");
    }
}
