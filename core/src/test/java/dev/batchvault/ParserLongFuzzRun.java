package dev.batchvault;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The long fuzz run: the same checks and generators as {@link ParserFuzzTest}, with random seeds
 * and many more tries. Skipped unless {@code -Dbatchvault.fuzz=long} is given; see core/README.md.
 */
@AddLifecycleHook(ParserLongFuzzRun.OnlyWhenAskedFor.class)
class ParserLongFuzzRun extends ParserFuzzTest {

    @Override
    @Property(tries = 200_000)
    void thumbprints(@ForAll("thumbprintText") String text) {
        checkThumbprint(text);
    }

    @Override
    @Property(tries = 50_000)
    void pemFiles(@ForAll("pemBytes") byte[] content, @ForAll boolean wanted) {
        checkPem(content, wanted);
    }

    @Override
    @Property(tries = 10_000)
    void pkcs12Files(@ForAll("pfxBytes") byte[] content, @ForAll("passwords") String password) {
        checkPkcs12(content, password);
    }

    @Override
    @Property(tries = 200_000)
    void retryAfterHeaders(@ForAll("headerText") String ms, @ForAll("headerText") String xMs,
            @ForAll("headerText") String retryAfter) {
        checkRetryAfter(ms, xMs, retryAfter);
    }

    /** Runs the long properties only when {@code batchvault.fuzz=long}. */
    public static final class OnlyWhenAskedFor implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return "long".equals(System.getProperty("batchvault.fuzz")) ? SkipResult.doNotSkip()
                    : SkipResult.skip("the long fuzz run needs -Dbatchvault.fuzz=long");
        }
    }
}
