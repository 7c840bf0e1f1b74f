package dev.reshard.workload;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writers' own record of what they were told: every acknowledged write, kept independently of
 * Reshard's view, so that the end state can be checked against it. A write whose outcome the
 * writer does not know (it failed without saying whether it committed) marks its key uncertain;
 * the check accepts either outcome for those and counts them.
 */
public final class Ledger {
    /** User id -> last acknowledged balance; absent when deleted (or never written). */
    final Map<Long, Long> users = new ConcurrentHashMap<>();
    /** Every user id ever written (to tell "deleted" from "unknown"). */
    final Set<Long> touchedUsers = ConcurrentHashMap.newKeySet();
    /** Order id -> {user id, amount}; absent when deleted. */
    final Map<Long, long[]> orders = new ConcurrentHashMap<>();

    final Set<Long> deletedOrders = ConcurrentHashMap.newKeySet();
    /** Users with a write of unknown outcome (their row and their orders are not checked). */
    final Set<Long> uncertainUsers = ConcurrentHashMap.newKeySet();

    public void userWritten(long id, long balance) {
        touchedUsers.add(id);
        users.put(id, balance);
    }

    public void userDeleted(long id) {
        touchedUsers.add(id);
        users.remove(id);
    }

    public void orderWritten(long id, long userId, long amount) {
        orders.put(id, new long[] {userId, amount});
    }

    public void orderDeleted(long id) {
        orders.remove(id);
        deletedOrders.add(id);
    }

    public void uncertain(long userId) {
        uncertainUsers.add(userId);
    }

    /** The last acknowledged balance of a user, or null when deleted or never written. */
    public Long balance(long id) {
        return users.get(id);
    }

    public boolean isUncertain(long userId) {
        return uncertainUsers.contains(userId);
    }

    public int users() {
        return users.size();
    }

    public int orders() {
        return orders.size();
    }
}
