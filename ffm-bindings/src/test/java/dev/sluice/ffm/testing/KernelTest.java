package dev.sluice.ffm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs root, the bpf syscall and iproute2. Outside CI a machine without
 * them skips the class; with {@code CI=true} the class fails, so CI can never pass by skipping.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KernelRequirements.class)
public @interface KernelTest {
}
