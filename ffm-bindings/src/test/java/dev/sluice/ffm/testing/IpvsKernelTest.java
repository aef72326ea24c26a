package dev.sluice.ffm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs a kernel with IPVS and the dummy link driver (the Debian 6.1
 * guest of the kernel lab; this repository's CI host has neither). The tag keeps the class out of
 * the default test run; where it does run, a kernel without them skips it, or fails it with
 * {@code CI=true}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(IpvsKernelTest.TAG)
@ExtendWith(IpvsRequirements.class)
public @interface IpvsKernelTest {
    String TAG = "ipvs-kernel";
}
