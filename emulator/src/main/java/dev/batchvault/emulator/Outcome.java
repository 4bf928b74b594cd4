package dev.batchvault.emulator;

/**
 * What became of one request: answered with a status, closed without an answer, or held unanswered.
 *
 * @param kind which of the three
 * @param status the status sent, for {@link Kind#ANSWERED}; 0 otherwise
 */
public record Outcome(Kind kind, int status) {
    /** How a request ended. */
    public enum Kind {
        /** A status and an answer were sent. */
        ANSWERED,
        /** The connection was closed without an answer ({@link Fault#reset()}). */
        CLOSED,
        /** The request is held unanswered ({@link Fault#hang()}) until the client gives up or the emulator closes. */
        HELD
    }

    private static final Outcome CLOSED = new Outcome(Kind.CLOSED, 0);
    private static final Outcome HELD = new Outcome(Kind.HELD, 0);

    /**
     * @throws IllegalArgumentException if an answer has no HTTP status, or a closed or held request has one
     */
    public Outcome {
        if (kind == null) {
            throw new IllegalArgumentException("an outcome has a kind");
        }
        if ((kind == Kind.ANSWERED) != (status >= 100 && status <= 599)) {
            throw new IllegalArgumentException("an answer has a status 100 to 599, a closed or held request none; "
                    + "not " + kind + " " + status);
        }
    }

    /**
     * @param status the status sent
     * @return an answered outcome
     */
    public static Outcome answered(int status) {
        return new Outcome(Kind.ANSWERED, status);
    }

    /** @return the outcome of a connection closed without an answer */
    public static Outcome closed() {
        return CLOSED;
    }

    /** @return the outcome of a request held unanswered */
    public static Outcome held() {
        return HELD;
    }

    /** @return the status, or what happened to the connection: {@code 503}, {@code connection closed}, {@code held unanswered} */
    @Override
    public String toString() {
        switch (kind) {
            case ANSWERED:
                return Integer.toString(status);
            case CLOSED:
                return "connection closed";
            default:
                return "held unanswered";
        }
    }
}
