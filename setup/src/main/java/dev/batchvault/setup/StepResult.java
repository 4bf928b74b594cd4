package dev.batchvault.setup;

import java.util.Objects;

/**
 * What one step did to one resource (from {@code apply()}) or would do (from {@code plan()}).
 * Immutable; never holds a key or a secret.
 */
public final class StepResult {
    private final Step step;
    private final String resource;
    private final Outcome outcome;
    private final String detail;
    private final boolean planned;

    StepResult(Step step, String resource, Outcome outcome, String detail, boolean planned) {
        this.step = Objects.requireNonNull(step);
        this.resource = Objects.requireNonNull(resource);
        this.outcome = Objects.requireNonNull(outcome);
        this.detail = detail == null ? "" : detail;
        this.planned = planned;
    }

    /** @return the step */
    public Step step() {
        return step;
    }

    /** @return the resource in words, such as {@code application 'batchvault-pool'} */
    public String resource() {
        return resource;
    }

    /** @return created, updated or unchanged */
    public Outcome outcome() {
        return outcome;
    }

    /** @return what was (or would be) done, in words; empty if nothing to add */
    public String detail() {
        return detail;
    }

    /** @return true if this comes from {@code plan()}: nothing was changed */
    public boolean planned() {
        return planned;
    }

    /** @return true unless the outcome is {@link Outcome#UNCHANGED} */
    public boolean changes() {
        return outcome != Outcome.UNCHANGED;
    }

    @Override
    public String toString() {
        String verb;
        switch (outcome) {
            case CREATED:
                verb = planned ? "would create" : "created";
                break;
            case UPDATED:
                verb = planned ? "would update" : "updated";
                break;
            default:
                verb = "unchanged";
                break;
        }
        return step + " " + resource + ": " + verb + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
