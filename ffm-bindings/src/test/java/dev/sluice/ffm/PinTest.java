package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.sys.Interfaces;
import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import dev.sluice.ffm.testing.VethLab;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@KernelTest
class PinTest {

    @Test
    void pinnedMapsOutliveTheirObjectAndAreAdoptedByTheNextLoad() {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            int id;
            try (BpfObject first = BpfObject.openResource(Fixtures.LOADER_FIXTURE).pinMapsUnder(bpffs.root()).load()) {
                BpfMap<Integer, Long> map = first.map("fixture_hash", MapCodec.u32(), MapCodec.u64());
                map.put(7, 700L);
                id = map.info().id();
            }
            assertThat(bpffs.root().resolve("fixture_hash")).exists();

            try (BpfMap<Integer, Long> reopened = BpfMap.openPinned(bpffs.root().resolve("fixture_hash"),
                    MapCodec.u32(), MapCodec.u64())) {
                assertThat(reopened.info().id()).isEqualTo(id);
                assertThat(reopened.info().name()).isEqualTo("fixture_hash");
                assertThat(reopened.lookup(7)).contains(700L);
            }

            try (BpfObject second = BpfObject.openResource(Fixtures.LOADER_FIXTURE).pinMapsUnder(bpffs.root()).load()) {
                BpfMap<Integer, Long> adopted = second.map("fixture_hash", MapCodec.u32(), MapCodec.u64());
                assertThat(adopted.info().id()).isEqualTo(id);
                assertThat(adopted.lookup(7)).contains(700L);
            }
        }
    }

    @Test
    void anExplicitlyPinnedMapReopensWithCodecsCheckedAgainstIt() {
        try (PrivateBpffs bpffs = PrivateBpffs.mount(); BpfObject object = Fixtures.loaderFixture()) {
            Path pin = bpffs.root().resolve("small");
            BpfMap<Integer, Long> small = object.map("fixture_small_hash", MapCodec.u32(), MapCodec.u64());
            small.put(1, 11L);
            small.pin(pin);
            assertThatThrownBy(() -> BpfMap.openPinned(pin, MapCodec.u64(), MapCodec.u64()))
                    .isInstanceOf(MapLayoutException.class).hasMessageContaining("key_size is 4");
            try (BpfMap<Integer, Long> reopened = BpfMap.openPinned(pin, MapCodec.u32(), MapCodec.u64())) {
                assertThat(reopened.entries()).containsEntry(1, 11L).hasSize(1);
            }
        }
    }

    @Test
    void openingAMissingPinNamesThePathAndErrno() {
        Path missing = Path.of("/sys/fs/bpf/sluice-no-such-pin-" + ProcessHandle.current().pid());
        assertThatThrownBy(() -> MapHandle.openPinned(missing))
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.getMessage()).contains(missing.toString());
                });
    }

    @Test
    void aMapOpensByItsIdAndStaysAliveWhileTheNewFdIsOpen() {
        MapHandle byId;
        try (MapHandle created = MapHandle.create(MapType.ARRAY, "by_id", 4, 4, 3, 0)) {
            BpfMap<Integer, Integer> original = new BpfMap<>(created, MapCodec.u32(), MapCodec.u32());
            original.put(0, 10);
            original.put(2, 12);
            byId = MapHandle.openById(created.info().id());
            assertThat(byId.fd()).isNotEqualTo(created.fd());
            assertThat(byId.info()).isEqualTo(created.info());
        }
        // The created fd is closed: the map lives on through the fd opened by id, which owns it.
        try (BpfMap<Integer, Integer> reopened = new BpfMap<>(byId, MapCodec.u32(), MapCodec.u32())) {
            assertThat(reopened.entries()).containsExactlyInAnyOrderEntriesOf(
                    java.util.Map.of(0, 10, 1, 0, 2, 12));
        }
    }

    @Test
    void openingAnUnknownMapIdFailsWithEnoent() {
        // Ids are allocated upwards from 1; the largest u32 is not handed out on a test machine.
        assertThatThrownBy(() -> MapHandle.openById(-1))
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.getMessage()).contains("4294967295");
                });
    }

    @Test
    void aPinnedXdpLinkKeepsCountingAfterItsFdIsClosedUntilDetached() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount(); VethLab lab = VethLab.create();
             BpfObject counter = BpfObject.openResource(Fixtures.XDP_RX_COUNTER).load()) {
            PerCpuBpfMap<Integer, RxCounter> counters = counter.perCpuMap("rx_counters", MapCodec.u32(), RxCounter.CODEC);
            BpfProgram program = counter.program("xdp_rx_counter");
            Path linkPin = bpffs.root().resolve("xdp_link");
            try (BpfLink link = lab.b().call(() -> program.attachXdp(Interfaces.index(VethLab.INTERFACE), XdpMode.NATIVE))) {
                link.pin(linkPin);
            }
            assertThat(lab.sendUdpFromAToB(10, 1, 9200)).isEqualTo(10);
            assertThat(RxCounter.sum(counters, RxCounter.IPV4).packets()).isEqualTo(10);

            try (BpfLink adopted = BpfLink.openPinned(linkPin)) {
                adopted.detach();
            }
            Files.delete(linkPin);
            assertThat(lab.sendUdpFromAToB(10, 1, 9200)).isEqualTo(10);
            assertThat(RxCounter.sum(counters, RxCounter.IPV4).packets()).isEqualTo(10);
        }
    }
}
