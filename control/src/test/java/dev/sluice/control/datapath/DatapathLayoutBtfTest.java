package dev.sluice.control.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ffm.sys.Command;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java layouts that mirror the datapath's structs must agree with the compiled object's BTF:
 * same size, and every member at the same offset with the same size. C and Java cannot drift.
 */
class DatapathLayoutBtfTest {
    private static final Map<String, JsonNode> STRUCTS = new HashMap<>();
    private static final Map<Long, JsonNode> TYPES = new HashMap<>();

    static List<StructLayout> layouts() {
        return List.of(FrontendKey.LAYOUT, FrontendValue.LAYOUT, ServiceValue.LAYOUT, BackendValue.LAYOUT,
                SourceRangeKey.LAYOUT, Tuple.LAYOUT, ConntrackValue.LAYOUT, DatapathConfig.LAYOUT,
                AffinityKey.LAYOUT, AffinityValue.LAYOUT, TrafficCounter.LAYOUT, MasqueradeExemptKey.LAYOUT, ServiceName.LAYOUT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void javaLayoutMatchesTheObjectsBtf(StructLayout layout) throws Exception {
        JsonNode struct = btfStruct(layout.name().orElseThrow());
        assertThat(struct).as("struct %s in the BTF of xdp_node.bpf.o", layout.name().get()).isNotNull();
        assertThat(struct.get("size").asLong()).as("sizeof(struct %s)", layout.name().get())
                .isEqualTo(layout.byteSize());

        Map<String, long[]> btfMembers = new LinkedHashMap<>();
        for (JsonNode member : struct.get("members")) {
            btfMembers.put(member.get("name").asText(), new long[] {
                member.get("bits_offset").asLong() / 8, sizeOf(member.get("type_id").asLong())});
        }
        Map<String, long[]> javaMembers = new LinkedHashMap<>();
        for (MemoryLayout member : layout.memberLayouts()) {
            member.name().ifPresent(name -> javaMembers.put(name, new long[] {
                layout.byteOffset(MemoryLayout.PathElement.groupElement(name)), member.byteSize()}));
        }
        assertThat(javaMembers.keySet()).as("members of %s", layout.name().get())
                .containsExactlyElementsOf(btfMembers.keySet());
        javaMembers.forEach((name, offsetAndSize) -> assertThat(offsetAndSize)
                .as("%s.%s (offset, size)", layout.name().get(), name)
                .containsExactly(btfMembers.get(name)));
    }

    private static synchronized JsonNode btfStruct(String name) throws Exception {
        if (STRUCTS.isEmpty()) {
            Path object = Path.of(DatapathLayoutBtfTest.class.getClassLoader()
                    .getResource(Datapath.XDP_NODE_OBJECT).toURI());
            JsonNode root = new ObjectMapper().readTree(
                    Command.run("bpftool", "-j", "btf", "dump", "file", object.toString()));
            for (JsonNode type : root.get("types")) {
                TYPES.put(type.get("id").asLong(), type);
                if ("STRUCT".equals(type.get("kind").asText())) {
                    STRUCTS.put(type.get("name").asText(), type);
                }
            }
        }
        return STRUCTS.get(name);
    }

    private static long sizeOf(long typeId) {
        JsonNode type = TYPES.get(typeId);
        return switch (type.get("kind").asText()) {
            case "TYPEDEF", "VOLATILE", "CONST", "RESTRICT" -> sizeOf(type.get("type_id").asLong());
            case "ARRAY" -> type.get("nr_elems").asLong() * sizeOf(type.get("type_id").asLong());
            default -> type.get("size").asLong();
        };
    }
}
