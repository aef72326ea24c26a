package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.KernelTest;
import org.junit.jupiter.api.Test;

@KernelTest
class BpfObjectTest {

    @Test
    void opensFromResourceAndNamesItsMapsAndPrograms() {
        try (BpfObject object = BpfObject.openResource(Fixtures.LOADER_FIXTURE)) {
            assertThat(object.name()).isEqualTo("loader_fixture");
            assertThat(object.mapNames()).contains("fixture_small_hash", "fixture_hash",
                    "fixture_percpu_hash", "fixture_tc_packets", "fixture_connect_rewrites");
            assertThat(object.programNames()).containsExactlyInAnyOrder("xdp_reflect_ipv4",
                    "tc_count_ingress", "tc_count_egress", "connect4_rewrite");
            object.load();
            assertThat(object.program("xdp_reflect_ipv4").type()).isEqualTo(ProgramType.XDP);
            assertThat(object.program("tc_count_ingress").type()).isEqualTo(ProgramType.SCHED_CLS);
            assertThat(object.program("connect4_rewrite").type()).isEqualTo(ProgramType.CGROUP_SOCK_ADDR);
            assertThat(object.program("connect4_rewrite").section()).isEqualTo("cgroup/connect4");
        }
    }

    @Test
    void refusedProgramCarriesErrnoNameAndVerifierLog() {
        try (BpfObject object = BpfObject.openResource(Fixtures.VERIFIER_REJECT)) {
            assertThatThrownBy(object::load)
                    .isInstanceOfSatisfying(BpfException.class, refused -> {
                        assertThat(refused.errnoName()).isEqualTo("EACCES");
                        assertThat(refused.libbpfLog()).contains("invalid access to packet");
                        assertThat(refused.getMessage())
                                .contains("cannot load BPF object 'verifier_reject'")
                                .contains("EACCES")
                                .contains("invalid access to packet");
                    });
            assertThat(object.isLoaded()).isFalse();
        }
    }

    @Test
    void bytesThatAreNoElfObjectFailToOpenWithLibbpfsErrno() {
        assertThatThrownBy(() -> BpfObject.open(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, "garbage"))
                .isInstanceOfSatisfying(BpfException.class, refused -> {
                    assertThat(refused.errnoName()).startsWith("LIBBPF_ERRNO__");
                    assertThat(refused.getMessage()).contains("cannot open BPF object 'garbage'");
                });
    }

    @Test
    void mapsCanBeResizedOnlyBeforeLoad() {
        try (BpfObject object = BpfObject.openResource(Fixtures.LOADER_FIXTURE)) {
            object.maxEntries("fixture_small_hash", 8).load();
            assertThat(object.mapHandle("fixture_small_hash").info().maxEntries()).isEqualTo(8);
            assertThatThrownBy(() -> object.maxEntries("fixture_small_hash", 16))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("loaded");
        }
    }

    @Test
    void unknownNamesAreErrorsThatListWhatExists() {
        try (BpfObject object = Fixtures.loaderFixture()) {
            assertThatThrownBy(() -> object.mapHandle("no_such_map"))
                    .hasMessageContaining("'loader_fixture' has no map 'no_such_map'")
                    .hasMessageContaining("fixture_hash");
            assertThatThrownBy(() -> object.program("no_such_program"))
                    .hasMessageContaining("has no program 'no_such_program'")
                    .hasMessageContaining("xdp_reflect_ipv4");
        }
    }

    @Test
    void aClosedObjectRefusesUseOfItsMaps() {
        BpfObject object = Fixtures.loaderFixture();
        BpfMap<Integer, Long> map = object.map("fixture_hash", MapCodec.u32(), MapCodec.u64());
        object.close();
        assertThatThrownBy(() -> map.lookup(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fixture_hash");
    }
}
