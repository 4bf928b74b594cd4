package dev.batchvault.setup;

/**
 * A step failed: names the step, the resource, the HTTP status and service error code when a
 * management call answered, and what to do.
 */
public final class SetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    private final Step step;
    /** The resource it was working on, in words. */
    private final String resource;
    /** The HTTP status of the management call's answer, if one answered. */
    private final int status;
    /** The service's error code, if it gave one. */
    private final String errorCode;

    SetupException(Step step, String resource, int status, String errorCode, String message, Throwable cause) {
        super(step + " " + resource + ": " + message, cause);
        this.step = step;
        this.resource = resource;
        this.status = status;
        this.errorCode = errorCode;
    }

    /** @return the step that failed */
    public Step step() {
        return step;
    }

    /** @return the resource it was working on, in words */
    public String resource() {
        return resource;
    }

    /** @return the HTTP status of the failed management call, or 0 if none answered */
    public int status() {
        return status;
    }

    /** @return the service's error code (such as {@code AuthorizationFailed}), or null */
    public String errorCode() {
        return errorCode;
    }
}
