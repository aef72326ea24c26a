/**
 * Frames for datapath tests: build the input of {@code BPF_PROG_RUN}, parse and verify its output.
 * Every checksum is computed here from scratch so that a test never trusts the code it tests.
 *
 * <pre>{@code
 * // Build: every builder is immutable, setters return a copy.
 * byte[] syn = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
 *         .ipv4("10.244.1.5", "10.96.0.10").dontFragment()
 *         .tcp(40000, 80).seq(1).flags(TcpFlag.SYN).options(mss1460)
 *         .build();
 * byte[] dns = Frames.ethernet(src, dst).ipv6("fd00::5", "fd00::a").udp(40000, 53).payload(query).build();
 * byte[] fragNeeded = Frames.ethernet(src, dst).ipv4("10.0.0.1", "10.244.1.5")
 *         .icmpFragmentationNeeded(1400, Frames.ipv4("10.244.1.5", "10.96.0.10").tcp(40000, 80))
 *         .build();
 *
 * // Parse and verify.
 * ParsedFrame out = ParsedFrame.parse(outputBytes);        // throws, naming the field and offset
 * ParseResult r = ParsedFrame.tryParse(outputBytes);        // never throws: partial layers + error
 * assertThat(out.ipv4HeaderChecksumValid()).isTrue();
 * assertThat(out.l4ChecksumValid()).isTrue();
 * FieldDiff.assertSameFrame(expectedBuilder, outputBytes);  // "ipv4.dst: expected ... got ..."
 *
 * // Fuzz.
 * Mutator m = Mutator.seeded(42);
 * Mutation input = m.randomFrame();                         // input.description() says how it was made
 * Mutation broken = m.mutate(syn);
 * }</pre>
 */
package dev.sluice.control.datapath.packet;
