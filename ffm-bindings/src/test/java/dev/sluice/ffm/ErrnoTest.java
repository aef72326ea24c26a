package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void linuxKernelAndLibbpfCodesHaveTheirNames() {
        assertThat(Errno.name(1)).isEqualTo("EPERM");
        assertThat(Errno.name(-2)).isEqualTo("ENOENT");
        assertThat(Errno.name(7)).isEqualTo("E2BIG");
        assertThat(Errno.name(13)).isEqualTo("EACCES");
        assertThat(Errno.name(95)).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.name(111)).isEqualTo("ECONNREFUSED");
        assertThat(Errno.name(133)).isEqualTo("EHWPOISON");
        assertThat(Errno.name(524)).isEqualTo("ENOTSUPP");
        assertThat(Errno.name(4001)).isEqualTo("LIBBPF_ERRNO__FORMAT");
        assertThat(Errno.name(4007)).isEqualTo("LIBBPF_ERRNO__VERIFY");
        assertThat(Errno.name(41)).isEqualTo("errno 41");
        assertThat(Errno.name(9999)).isEqualTo("errno 9999");
    }

    @Test
    void descriptionsCarryLibbpfsText() {
        assertThat(Errno.describe(2)).isEqualTo("ENOENT (No such file or directory)");
        assertThat(Errno.describe(-4007)).startsWith("LIBBPF_ERRNO__VERIFY (").contains("erifier");
    }

    @Test
    void exceptionsComposeMessageErrnoAndLog() {
        BpfException e = new BpfException("cannot frob map 'x'", -17, "line one\n");
        assertThat(e.errno()).isEqualTo(17);
        assertThat(e.errnoName()).isEqualTo("EEXIST");
        assertThat(e.getMessage()).isEqualTo("cannot frob map 'x': EEXIST (File exists)\nlibbpf log:\nline one");
        assertThat(new BpfException("plain").errnoName()).isEmpty();
    }
}
