/**
 * Maglev lookup tables: which backend owns each of a service's M slots, so that the datapath picks
 * a backend with one hash of the flow and one array read.
 *
 * <p>{@link dev.sluice.control.maglev.MaglevTable} is deterministic (a function of the backend
 * set, M and the seed), exactly balanced (floor/ceil of M/N slots each) and nearly stable: one
 * backend leaving or joining also moves 0.3 to about 2.5 % of the other backends' slots. No rule
 * can remove that last part while keeping the first two when backend ids come from an unbounded
 * set such as strings.
 *
 * <p>Why, in short. If no slot changes owner when a non-owner leaves, then whoever owns a slot in
 * a set S still owns it after the other members leave one by one, so it owns it in {x, y} for
 * every y in S: each slot ranks all possible ids in one fixed order and picks the best present.
 * Fix an id r and note, for every other id x, the set of slots where x outranks r. There are only
 * 2^M such sets, so two ids x and y note the same one. In {r, x, y}, r then owns exactly what it
 * owns in {r, x}, at least floor(M/2) slots, where balance allows at most ceil(M/3) (M >= 11).
 * Stable and balanced tables need history (keep the previous table, hand out only the freed
 * slots); stable and deterministic ones give up exact balance (per-slot rendezvous hashing).
 */
package dev.sluice.control.maglev;
