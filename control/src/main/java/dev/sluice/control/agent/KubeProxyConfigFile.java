package dev.sluice.control.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * kube-proxy's configuration file ({@code KubeProxyConfiguration}, kubeproxy.config.k8s.io/v1alpha1)
 * read into the agent's options, so that a cluster's existing kube-proxy ConfigMap can configure
 * sluice. Every field is one of three kinds:
 * <ul>
 *   <li>mapped: it sets the flag with the same meaning, unless that flag was given on the command
 *       line (flags win, as kube-proxy's manifests pass per-node values such as the node name);
 *   <li>ignored: it tunes kube-proxy's own machinery (iptables marks, IPVS, netfilter conntrack
 *       sysctls, logging buffers) that sluice does not have; a non-default value is reported;
 *   <li>refused: it asks for behaviour sluice does not provide (masquerade all, localhost
 *       NodePorts, Windows, profiling); any value but the default is an error naming the field.
 * </ul>
 * kubeadm writes every field with its zero value, so refusals apply to non-default values only.
 * Fields kube-proxy does not know either are reported and skipped, as kube-proxy's lenient
 * decoding does after its strict pass fails.
 */
final class KubeProxyConfigFile {
    static final String API_VERSION = "kubeproxy.config.k8s.io/v1alpha1";
    static final String KIND = "KubeProxyConfiguration";

    private static final String KERNEL_CONNTRACK = "it sizes or times the kernel's netfilter conntrack, "
            + "which service traffic does not use under sluice (its own table is --max-connections)";
    private static final String IPVS_ONLY = "it applies to kube-proxy's IPVS mode only";
    private static final String NO_MARKS = "sluice marks no packets for masquerading";

    /** What reading the file did: the flags it set and the fields it ignored, for the log. */
    record Outcome(Map<String, String> applied, List<String> ignored, List<String> unknown) {
    }

    private final AgentOptions options;
    private final Predicate<String> givenOnCommandLine;
    private final Map<String, String> applied = new LinkedHashMap<>();
    private final List<String> ignored = new ArrayList<>();
    private final List<String> unknown = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    private KubeProxyConfigFile(AgentOptions options, Predicate<String> givenOnCommandLine) {
        this.options = options;
        this.givenOnCommandLine = givenOnCommandLine;
    }

    /**
     * Reads {@code file} into {@code options}, leaving alone the options whose flag
     * {@code givenOnCommandLine} accepts.
     *
     * @throws IllegalArgumentException naming the file and every refused or malformed field
     */
    static Outcome apply(Path file, AgentOptions options, Predicate<String> givenOnCommandLine) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("kube-proxy configuration " + file + ": cannot read it: " + e.getMessage(), e);
        }
        KubeProxyConfigFile reader = new KubeProxyConfigFile(options, givenOnCommandLine);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("kube-proxy configuration " + file + ": not a YAML mapping");
        }
        reader.read(root);
        if (!reader.errors.isEmpty()) {
            throw new IllegalArgumentException("kube-proxy configuration " + file + ": "
                    + String.join("; ", reader.errors));
        }
        return new Outcome(reader.applied, reader.ignored, reader.unknown);
    }

    private void read(JsonNode root) {
        String apiVersion = root.path("apiVersion").asText("");
        String kind = root.path("kind").asText("");
        if (!API_VERSION.equals(apiVersion)) {
            errors.add("apiVersion: '" + apiVersion + "' is not " + API_VERSION);
        }
        if (!KIND.equals(kind)) {
            errors.add("kind: '" + kind + "' is not " + KIND);
        }
        String mode = root.path("mode").asText("");
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            switch (name) {
                case "apiVersion", "kind" -> { }
                case "featureGates" -> ignore(name, value, "its gates select kube-proxy's own features");
                case "clientConnection" -> clientConnection(value);
                case "logging" -> logging(value);
                case "hostnameOverride" -> map(name, value, "--node-name", text -> options.nodeName = text);
                case "bindAddress" -> bindAddress(value);
                case "healthzBindAddress" -> map(name, value, "--healthz-bind-address",
                        text -> options.healthzBindAddress = withDefaultPort(text, 10256));
                case "metricsBindAddress" -> map(name, value, "--metrics-bind-address",
                        text -> options.metricsBindAddress = withDefaultPort(text, 10249));
                case "bindAddressHardFail" -> ignore(name, value, "sluice always exits when it cannot bind");
                case "enableProfiling" -> refuse(name, value, "sluice serves no /debug/pprof");
                case "showHiddenMetricsForVersion" -> ignore(name, value, "sluice hides no metrics");
                case "mode" -> {
                    if (!List.of("", "iptables", "ipvs", "nftables").contains(mode)) {
                        errors.add("mode: '" + mode + "' is not a Linux proxy mode sluice replaces");
                    }
                }
                case "iptables", "nftables", "ipvs" -> modeSection(name, value, activeMode(mode));
                case "winkernel" -> section(name, value, (field2, v) -> refuse(field2, v, "it is for Windows nodes"));
                case "windowsRunAsService" -> refuse(name, value, "it is for Windows nodes");
                case "detectLocalMode" -> {
                    String local = value.asText("");
                    if (!local.isEmpty() && !local.equals("ClusterCIDR")) {
                        errors.add("detectLocalMode: '" + local + "' is not supported: sluice tells pod traffic "
                                + "by clusterCIDR only");
                    }
                }
                case "detectLocal" -> section(name, value, (field2, v) -> ignore(field2, v,
                        "it only serves detectLocalMode BridgeInterface and InterfaceNamePrefix"));
                case "clusterCIDR" -> map(name, value, "--cluster-cidrs",
                        text -> options.clusterCidrs = Arrays.stream(text.split(",")).map(String::strip).toList());
                case "nodePortAddresses" -> nodePortAddresses(value);
                case "oomScoreAdj" -> ignore(name, value, "the kubelet sets it from the pod's priority class");
                case "conntrack" -> section(name, value, (field2, v) -> ignore(field2, v, KERNEL_CONNTRACK));
                case "configSyncPeriod" -> ignore(name, value, "the agent's periodic repair is --sync-period");
                case "portRange" -> ignore(name, value, "kube-proxy does not use it either");
                case "syncPeriod" -> syncPeriod(name, value);
                case "minSyncPeriod" -> ignore(name, value, "sluice coalesces bursts of changes itself");
                default -> unknown.add(name);
            }
        }
    }

    /** kube-proxy's default mode on Linux is iptables; its section's periods are the ones in force. */
    private static String activeMode(String mode) {
        return mode.isEmpty() ? "iptables" : mode;
    }

    private void clientConnection(JsonNode section) {
        section("clientConnection", section, (name, value) -> {
            if (name.equals("clientConnection.kubeconfig")) {
                map(name, value, "--kubeconfig", text -> options.kubeconfig = Path.of(text));
            } else {
                ignore(name, value, "sluice's client speaks JSON and is not rate-limited");
            }
        });
    }

    private void logging(JsonNode section) {
        section("logging", section, (name, value) -> {
            switch (name) {
                case "logging.verbosity" -> map(name, value, "--v", text -> options.verbosity = Integer.parseInt(text));
                case "logging.format" -> {
                    String format = value.asText("");
                    if (!format.isEmpty() && !format.equals("text")) {
                        errors.add("logging.format: '" + format + "' is not supported: sluice logs text");
                    }
                }
                default -> ignore(name, value, "it tunes kube-proxy's log buffers");
            }
        });
    }

    private void bindAddress(JsonNode value) {
        String text = value.asText("");
        if (text.isEmpty() || text.equals("0.0.0.0") || text.equals("::")) {
            return;
        }
        // kube-proxy takes it as the node's primary IP: the address NodePorts and SNAT use here.
        map("bindAddress", value, "--node-addresses", address -> options.nodeAddresses = List.of(address));
    }

    private void nodePortAddresses(JsonNode value) {
        if (isDefault(value)) {
            return;
        }
        if (!value.isArray()) {
            errors.add("nodePortAddresses: not a list");
            return;
        }
        List<String> entries = new ArrayList<>();
        value.forEach(entry -> entries.add(entry.asText()));
        try {
            NodePortAddresses.parse(entries);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return;
        }
        if (!givenOnCommandLine.test("--nodeport-addresses")) {
            options.nodePortAddresses = entries;
            applied.put("--nodeport-addresses", String.join(",", entries));
        }
    }

    private void modeSection(String mode, JsonNode section, String activeMode) {
        boolean active = mode.equals(activeMode);
        // kube-proxy's IPVS mode reads masqueradeAll from the iptables section.
        boolean masqueradeAllApplies = active || (mode.equals("iptables") && activeMode.equals("ipvs"));
        section(mode, section, (name, value) -> {
            String field = name.substring(mode.length() + 1);
            switch (field) {
                case "syncPeriod" -> {
                    if (active) {
                        syncPeriod(name, value);
                    } else {
                        ignore(name, value, "mode is not " + mode);
                    }
                }
                case "masqueradeAll" -> {
                    if (masqueradeAllApplies) {
                        refuse(name, value, "sluice does not masquerade all service traffic");
                    } else {
                        ignore(name, value, "mode is not " + mode);
                    }
                }
                case "localhostNodePorts" -> {
                    if (active) {
                        refuse(name, value, "sluice does not answer NodePorts on loopback addresses");
                    } else {
                        ignore(name, value, "mode is not " + mode);
                    }
                }
                case "masqueradeBit" -> ignore(name, value, NO_MARKS);
                case "snatNodeInternalIP" -> ignore(name, value, "sluice always SNATs from the node's address");
                case "minSyncPeriod" -> ignore(name, value, "sluice coalesces bursts of changes itself");
                default -> {
                    if (mode.equals("ipvs")) {
                        ignore(name, value, IPVS_ONLY);
                    } else {
                        unknown.add(name);
                    }
                }
            }
        });
    }

    private void syncPeriod(String name, JsonNode value) {
        if (isDefault(value)) {
            return;
        }
        try {
            Duration period = GoDuration.parse(value.asText());
            map(name, value, "--sync-period", text -> options.syncPeriod = period);
        } catch (IllegalArgumentException e) {
            errors.add(name + ": " + e.getMessage());
        }
    }

    private interface FieldReader {
        void read(String name, JsonNode value);
    }

    private void section(String name, JsonNode section, FieldReader reader) {
        if (section == null || section.isNull()) {
            return;
        }
        if (!section.isObject()) {
            errors.add(name + ": not a mapping");
            return;
        }
        section.fields().forEachRemaining(field -> reader.read(name + "." + field.getKey(), field.getValue()));
    }

    private interface Setter {
        void set(String text);
    }

    private void map(String name, JsonNode value, String flag, Setter setter) {
        if (isDefault(value)) {
            return;
        }
        if (givenOnCommandLine.test(flag)) {
            ignored.add(name + " (" + flag + " given on the command line wins)");
            return;
        }
        try {
            setter.set(value.asText());
            applied.put(flag, value.asText());
        } catch (RuntimeException e) {
            errors.add(name + ": '" + value.asText() + "' is not valid: " + e.getMessage());
        }
    }

    private void ignore(String name, JsonNode value, String why) {
        if (!isDefault(value)) {
            ignored.add(name + " (" + why + ")");
        }
    }

    private void refuse(String name, JsonNode value, String why) {
        if (!isDefault(value)) {
            errors.add(name + ": " + value + " is not supported: " + why);
        }
    }

    /** kubeadm writes every field; its zero values mean "kube-proxy's default". */
    static boolean isDefault(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return true;
        }
        if (value.isBoolean()) {
            return !value.booleanValue();
        }
        if (value.isNumber()) {
            return value.asDouble() == 0;
        }
        if (value.isTextual()) {
            String text = value.textValue().strip();
            if (text.isEmpty()) {
                return true;
            }
            try {
                return GoDuration.parse(text).isZero();
            } catch (IllegalArgumentException notADuration) {
                return false;
            }
        }
        if (value.isContainerNode()) {
            for (JsonNode child : value) {
                if (!isDefault(child)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static String withDefaultPort(String address, int port) {
        String text = address.strip();
        boolean hasPort = text.startsWith("[") ? text.contains("]:") : text.indexOf(':') == text.lastIndexOf(':') && text.contains(":");
        if (hasPort) {
            return text;
        }
        return text.contains(":") ? "[" + text + "]:" + port : text + ":" + port;
    }
}
