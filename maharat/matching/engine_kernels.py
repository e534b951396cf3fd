"""The compiled kernels of the matching engine (numba): the terms, the top-k heap, the pruned scan, both passes.

Everything here works on the integer score units described in ``engine.py``; nothing here validates its
input (``engine_index`` does). Scores are exact integers, so the order in which contributions are added never
changes a score, and a brute-force computation of the same definition gives identical numbers. Arguments
travel as tuples of arrays (numba compiles them as heterogeneous tuples); ``engine_index`` builds them.

Every compiled function lives in this one file on purpose: numba's on-disk cache (``cache=True``) is
invalidated by a change to the file that defines a function, not by a change to the functions it calls in
other files, so a kernel split across files could keep running a stale, inlined copy of a helper.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

CREDIT_BITS = 12
CREDIT_ONE = 1 << CREDIT_BITS  # a fully met required skill
CHUNK = 128  # scores compared together against the running top-k threshold (one vectorized maximum)
SEEDS = 2  # seed items per result: the best-looking item of each of the 2k most promising chunks
MARK = -(2**31)  # buffer value of a seeded item: below every threshold (scores are ≥ 0), never offered again
DONE = -(2**62)  # lower than any chunk bound

# Layout of the small integer parameter vector ``prm`` passed to the kernels.
P_LOCALITY = 0  # units for the same locality
P_REST = 1  # language + availability + full education + accessibility: the most those terms give
P_SIZE = 2


@njit(cache=True, inline="always")
def popcount(x: int) -> int:
    """Set bits of a non-negative 63-bit mask."""
    x = x - ((x >> 1) & 0x5555555555555555)
    x = (x & 0x3333333333333333) + ((x >> 2) & 0x3333333333333333)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0F
    return ((x * 0x0101010101010101) & 0x7FFFFFFFFFFFFFFF) >> 56


@njit(cache=True)
def other_terms(
    sg: int,
    sl: int,
    slang: int,
    savail: int,
    sedu: int,
    sneeds: int,
    og: int,
    ol: int,
    olang: int,
    ostart: int,
    oedu: int,
    oacc: int,
    tables: tuple,
) -> tuple[int, int, int, int, int]:
    """Location, language, availability, education and accessibility units of one pair (lookups, no division).

    tables = (locq, eduq, prm, fracq, availq): fracq[0, n, m] = ⌊language units · m / n⌋ (fracq[1]: the same
    for accessibility), availq[d] = availability units when d days late (d clipped to [0, horizon]).
    """
    locq, eduq, prm, fracq, availq = tables
    loc = prm[P_LOCALITY] if sl >= 0 and sl == ol else locq[sg, og]
    lang = fracq[0, popcount(olang), popcount(olang & slang)]
    late = min(max(savail - ostart, 0), availq.shape[0] - 1)
    acc = fracq[1, popcount(sneeds), popcount(sneeds & oacc)]
    return loc, lang, availq[late], eduq[sedu, oedu], acc


@njit(cache=True, inline="always")
def _worse(s1: int, i1: int, s2: int, i2: int) -> bool:
    """True when (score s1, id i1) ranks below (s2, i2): lower score, or equal score and larger id."""
    return s1 < s2 or (s1 == s2 and i1 > i2)


@njit(cache=True)
def heap_push(
    hs: np.ndarray, hi: np.ndarray, hp: np.ndarray, size: int, k: int, s: int, i: int, p: int
) -> int:
    """Offer (score, id, position) to a bounded heap whose root is its worst entry; returns the new size."""
    if size < k:
        j = size
        size += 1
        while j > 0:
            parent = (j - 1) >> 1
            if _worse(hs[parent], hi[parent], s, i):
                break
            hs[j], hi[j], hp[j] = hs[parent], hi[parent], hp[parent]
            j = parent
        hs[j], hi[j], hp[j] = s, i, p
        return size
    if not _worse(hs[0], hi[0], s, i):
        return size
    j = 0
    while True:
        child = 2 * j + 1
        if child >= size:
            break
        if child + 1 < size and _worse(hs[child + 1], hi[child + 1], hs[child], hi[child]):
            child += 1
        if _worse(hs[child], hi[child], s, i):
            hs[j], hi[j], hp[j] = hs[child], hi[child], hp[child]
            j = child
        else:
            break
    hs[j], hi[j], hp[j] = s, i, p
    return size


@njit(cache=True)
def heap_drain(
    hs: np.ndarray,
    hi: np.ndarray,
    hp: np.ndarray,
    size: int,
    orig: np.ndarray,
    items: np.ndarray,
    scores: np.ndarray,
) -> None:
    """Write the heap best-first (score descending, id ascending) into one output row, padding with -1."""
    order = np.empty(size, np.int64)
    for j in range(size):
        order[j] = j
    # insertion sort: size ≤ k, and k is small
    for a in range(1, size):
        cur = order[a]
        b = a - 1
        while b >= 0 and _worse(hs[order[b]], hi[order[b]], hs[cur], hi[cur]):
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = cur
    for j in range(size):
        items[j] = orig[hp[order[j]]]
        scores[j] = hs[order[j]]
    for j in range(size, items.shape[0]):
        items[j] = -1
        scores[j] = -1


@njit(cache=True)
def gap_encode(
    indptr: np.ndarray, item: np.ndarray, split: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Postings lists (ascending items) as uint16 gaps: (indptr, gaps, source row or -1, end of items < split).

    A gap over 65,535 is bridged by filler rows (source -1) that the caller gives a zero value: they add
    nothing to the score buffer. Halving the bytes streamed per posting is what makes the pass fast.
    """
    n_lists = indptr.shape[0] - 1
    extra = 0
    for key in range(n_lists):
        prev = 0
        for j in range(indptr[key], indptr[key + 1]):
            if item[j] - prev > 65535:
                extra += (item[j] - prev - 1) // 65535
            prev = item[j]
    n = item.shape[0] + extra
    ptr = np.zeros(n_lists + 1, np.int64)
    gaps = np.empty(n, np.uint16)
    src = np.empty(n, np.int64)
    split_end = np.empty(n_lists, np.int64)
    w = 0
    for key in range(n_lists):
        prev = 0
        split_end[key] = -1
        for j in range(indptr[key], indptr[key + 1]):
            gap = item[j] - prev
            while gap > 65535:
                gaps[w] = 65535
                src[w] = -1
                w += 1
                gap -= 65535
            if item[j] >= split and split_end[key] < 0:
                split_end[key] = w
            gaps[w] = gap
            src[w] = j
            w += 1
            prev = item[j]
        if split_end[key] < 0:
            split_end[key] = w
        ptr[key + 1] = w
    return ptr, gaps, src, split_end


@njit(cache=True)
def scan(
    buf: np.ndarray,
    n_chunks: int,
    chunks: tuple,
    colbound: np.ndarray,
    heap: tuple,
    cmax: np.ndarray,
    attr: np.ndarray,
    ids: np.ndarray,
    fixed: np.ndarray,
    forward: bool,
    tables: tuple,
) -> int:
    """Offer to an empty heap every item of the first n_chunks chunks that the bound does not exclude; returns its size.

    buf: the skills term of every item (seeds are marked in it); chunks: (start, governorate column) of each
    chunk; colbound[col]: the most the other terms can add in column col; cmax: room for the chunk bounds and
    SEEDS · k more; fixed: the query's attributes; forward: the query is a seeker (items are opportunities),
    else an opportunity.

    1. Every chunk gets its bound: max(buf in chunk) + colbound.
    2. Seeding (when there are at least SEEDS · k chunks): the best-looking item of each of the SEEDS · k
       chunks with the highest bounds is scored and offered. That fills the heap with a threshold near its
       final value at once; the seeds are marked in buf (MARK: below every threshold, never offered again).
    3. Every chunk whose bound reaches the threshold is walked: each item whose own bound reaches the
       threshold is scored and offered.

    ``total`` repeats ``other_terms`` as a closure: numba inlines a closure without the reference counting
    that the array arguments of a call cost (measured: 15 ns against 56 ns per item scored). The tests hold
    both to the brute force.
    """
    start, col = chunks
    hs, hid, hp = heap
    locq, eduq, prm, fracq, availq = tables
    k = hs.shape[0]
    horizon = availq.shape[0] - 1

    def total(v: int, i: int, g: int) -> int:
        """Skills term v of item i (governorate column g) plus its other terms against the query."""
        if forward:
            sg, sl, slang, savail, sedu, sneeds = fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], fixed[5]
            og, ol, olang, ostart, oedu, oacc = g, attr[i, 1], attr[i, 2], attr[i, 3], attr[i, 4], attr[i, 5]
        else:
            sg, sl, slang, savail, sedu, sneeds = (
                g,
                attr[i, 1],
                attr[i, 2],
                attr[i, 3],
                attr[i, 4],
                attr[i, 5],
            )
            og, ol, olang, ostart, oedu, oacc = fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], fixed[5]
        loc = prm[P_LOCALITY] if sl >= 0 and sl == ol else locq[sg, og]
        lang = fracq[0, popcount(olang), popcount(olang & slang)]
        avail = availq[min(max(savail - ostart, 0), horizon)]
        acc = fracq[1, popcount(sneeds), popcount(sneeds & oacc)]
        return v + loc + lang + avail + eduq[sedu, oedu] + acc

    seeds = SEEDS * k if n_chunks >= SEEDS * k else 0
    top = cmax[n_chunks:]  # the seeds highest chunk bounds so far, ascending (room after the used part)
    for c in range(n_chunks):
        mx = buf[start[c]]
        for i in range(uint64(start[c]), uint64(start[c + 1])):  # unsigned: vectorizes
            x = buf[i]
            mx = x if x > mx else mx
        m = mx + colbound[col[c]]
        cmax[c] = m
        if seeds and (c < seeds or m > top[0]):
            j = min(c, seeds - 1)  # insertion into the ascending top list, dropping its smallest when full
            if c >= seeds:
                j = 0
                while j + 1 < seeds and top[j + 1] < m:
                    top[j] = top[j + 1]
                    j += 1
            else:
                while j > 0 and top[j - 1] > m:
                    top[j] = top[j - 1]
                    j -= 1
            top[j] = m
    size = 0
    offered = 0
    for c in range(n_chunks):
        if offered == seeds:
            break
        if cmax[c] < top[0]:
            continue
        target = cmax[c] - colbound[col[c]]
        i = start[c]
        while buf[i] != target:
            i += 1
        size = heap_push(hs, hid, hp, size, k, total(buf[i], i, col[c]), ids[i], i)
        buf[i] = MARK
        offered += 1
    for c in range(n_chunks):
        if size == k and cmax[c] < hs[0]:
            continue
        b = colbound[col[c]]
        floor = hs[0] - b if size == k else DONE  # skip v when v + b < threshold, i.e. v < floor
        i = start[c]
        end = start[c + 1]
        while True:
            while i < end and buf[i] < floor:
                i += 1
            if i >= end:
                break
            s = total(buf[i], i, col[c])
            if size < k or s > hs[0] or (s == hs[0] and ids[i] < hid[0]):
                size = heap_push(hs, hid, hp, size, k, s, ids[i], i)
                if size == k:
                    floor = hs[0] - b
            i += 1
    return size


@njit(cache=True)
def pair_skill_units(
    s: int,
    o: int,
    s_indptr: np.ndarray,
    s_skill: np.ndarray,
    s_prof: np.ndarray,
    rel_indptr: np.ndarray,
    rel_target: np.ndarray,
    rel_fq: np.ndarray,
    gq: np.ndarray,
    o_req_indptr: np.ndarray,
    o_req_key: np.ndarray,
    o_req_val: np.ndarray,
) -> int:
    """Skill units of one (seeker, opportunity position) pair, from the definition (no index)."""
    levels = gq.shape[1]
    total = 0
    for q in range(o_req_indptr[o], o_req_indptr[o + 1]):
        key = o_req_key[q]
        r = key // levels
        m = key - r * levels
        c = 0
        for j in range(s_indptr[s], s_indptr[s + 1]):
            k = s_skill[j]
            p = s_prof[j]
            if k == r:
                c = max(c, gq[p, m])
            for t in range(rel_indptr[k], rel_indptr[k + 1]):
                if rel_target[t] == r:
                    c = max(c, (rel_fq[t] * gq[p, m] + (CREDIT_ONE >> 1)) >> CREDIT_BITS)
        total += c * o_req_val[q]
    return total


@njit(cache=True)
def score_pairs(
    seekers: np.ndarray,
    opportunities: np.ndarray,
    s_indptr: np.ndarray,
    s_skill: np.ndarray,
    s_prof: np.ndarray,
    s_attr: np.ndarray,
    rel_indptr: np.ndarray,
    rel_target: np.ndarray,
    rel_fq: np.ndarray,
    gq: np.ndarray,
    req_indptr: np.ndarray,
    req_key: np.ndarray,
    req_val: np.ndarray,
    o_attr: np.ndarray,
    tables: tuple,
) -> np.ndarray:
    """Units of each (seeker, opportunity) pair, term by term from the definition (no index, no prune)."""
    out = np.empty(seekers.shape[0], np.int64)
    for q in range(seekers.shape[0]):
        s = seekers[q]
        o = opportunities[q]
        skill = pair_skill_units(
            s, o, s_indptr, s_skill, s_prof, rel_indptr, rel_target, rel_fq, gq, req_indptr, req_key, req_val
        )
        t1, t2, t3, t4, t5 = other_terms(
            s_attr[s, 0], s_attr[s, 1], s_attr[s, 2], s_attr[s, 3], s_attr[s, 4], s_attr[s, 5],
            o_attr[o, 0], o_attr[o, 1], o_attr[o, 2], o_attr[o, 3], o_attr[o, 4], o_attr[o, 5],
            tables,
        )  # fmt: skip
        out[q] = skill + t1 + t2 + t3 + t4 + t5
    return out


@njit(cache=True)
def _offer(
    r: int,
    fq: int,
    p: int,
    best: np.ndarray,
    touched: np.ndarray,
    nt: int,
    gq: np.ndarray,
    key_ptr: np.ndarray,
) -> int:
    """Record that the seeker meets required skill r through a skill of proficiency p at discount fq."""
    levels = gq.shape[1]
    for m in range(levels):
        key = r * levels + m
        if key_ptr[key + 1] == key_ptr[key]:
            continue  # no active opportunity requires r at level m
        c = (fq * gq[p, m] + (CREDIT_ONE >> 1)) >> CREDIT_BITS
        if c > best[key]:
            if best[key] == 0:
                touched[nt] = key
                nt += 1
            best[key] = c
    return nt


@njit(cache=True)
def expand_seeker(
    s: int, seekers: tuple, taxonomy: tuple, key_ptr: np.ndarray, best: np.ndarray, touched: np.ndarray
) -> int:
    """Fill best[key] with the seeker's credit for each (required skill, minimum level) key; returns how many."""
    s_indptr, s_skill, s_prof, _ = seekers
    rel_indptr, rel_target, rel_fq, gq = taxonomy
    nt = 0
    for j in range(s_indptr[s], s_indptr[s + 1]):
        k = s_skill[j]
        p = s_prof[j]
        nt = _offer(k, CREDIT_ONE, p, best, touched, nt, gq, key_ptr)
        for t in range(rel_indptr[k], rel_indptr[k + 1]):
            nt = _offer(rel_target[t], rel_fq[t], p, best, touched, nt, gq, key_ptr)
    return nt


@njit(cache=True)
def _column_bounds(
    colbound: np.ndarray, locq_line: np.ndarray, home: int, has_locality: bool, prm: np.ndarray
) -> None:
    """The most the non-skill terms can give against each governorate column (or seeker row)."""
    for g in range(colbound.shape[0]):
        colbound[g] = locq_line[g] + prm[P_REST]
    if has_locality:  # a locality lies in one governorate (checked by build_index), so home is a real one
        colbound[home] = max(colbound[home], prm[P_LOCALITY] + prm[P_REST])


@njit(cache=True)
def forward_block(
    queries: np.ndarray,
    lo: int,
    hi: int,
    seekers: tuple,
    taxonomy: tuple,
    postings: tuple,
    opps: tuple,
    chunks: tuple,
    exceptions: tuple,
    tables: tuple,
    out_items: np.ndarray,
    out_scores: np.ndarray,
) -> None:
    """The best opportunities of each seeker in queries[lo:hi], with one set of reused scratch buffers."""
    s_attr = seekers[3]
    key_ptr, key_open_end, post_gap, post_val = postings
    o_attr, o_id, o_orig, o_req_indptr, o_req_key, o_req_val = opps
    chunk_start, chunk_col, n_open_chunks = chunks
    exc_indptr, exc_pos = exceptions
    locq, prm = tables[0], tables[2]
    k = out_items.shape[1]
    buf = np.zeros(o_id.shape[0], np.int32)
    best = np.zeros(key_ptr.shape[0] - 1, np.int64)
    touched = np.empty(key_ptr.shape[0] - 1, np.int64)
    heap = (np.empty(k, np.int64), np.empty(k, np.int64), np.empty(k, np.int64))
    colbound = np.empty(locq.shape[1], np.int64)
    cmax = np.empty(chunk_col.shape[0] + SEEDS * k, np.int64)
    exc_score = np.empty(max(1, exc_pos.shape[0]), np.int64)
    for qi in range(lo, hi):
        s = queries[qi]
        fixed = s_attr[s]
        permit = fixed[6] != 0
        nt = expand_seeker(s, seekers, taxonomy, key_ptr, best, touched)
        # exceptions to a closure: their skills term from the credits, before these are cleared
        e0 = exc_indptr[s] if permit else 0
        e1 = exc_indptr[s + 1] if permit else 0
        for e in range(e0, e1):
            o = exc_pos[e]
            acc = 0
            for q in range(o_req_indptr[o], o_req_indptr[o + 1]):
                acc += best[o_req_key[q]] * o_req_val[q]
            exc_score[e - e0] = acc
        for t in range(nt):
            key = touched[t]
            c = best[key]
            best[key] = 0
            # unsigned indices: no negative-index handling in the hottest loop
            pos = uint64(0)
            for j in range(uint64(key_ptr[key]), uint64(key_open_end[key] if permit else key_ptr[key + 1])):
                pos += post_gap[j]
                buf[pos] += c * post_val[j]
        _column_bounds(colbound, locq[fixed[0]], fixed[0], fixed[1] >= 0, prm)
        n_chunks = n_open_chunks if permit else chunk_col.shape[0]
        size = scan(
            buf, n_chunks, (chunk_start, chunk_col), colbound, heap, cmax, o_attr, o_id, fixed, True, tables
        )
        buf[:] = 0
        hs, hid, hp = heap
        for e in range(e0, e1):
            o = exc_pos[e]
            t1, t2, t3, t4, t5 = other_terms(
                fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], fixed[5],
                o_attr[o, 0], o_attr[o, 1], o_attr[o, 2], o_attr[o, 3], o_attr[o, 4], o_attr[o, 5],
                tables,
            )  # fmt: skip
            size = heap_push(hs, hid, hp, size, k, exc_score[e - e0] + t1 + t2 + t3 + t4 + t5, o_id[o], o)
        heap_drain(hs, hid, hp, size, o_orig, out_items[qi], out_scores[qi])


@njit(parallel=True, cache=True)
def forward(
    queries: np.ndarray,
    block: int,
    seekers: tuple,
    taxonomy: tuple,
    postings: tuple,
    opps: tuple,
    chunks: tuple,
    exceptions: tuple,
    tables: tuple,
    out_items: np.ndarray,
    out_scores: np.ndarray,
) -> None:
    """forward_block over blocks of seekers, in parallel (each block has its own scratch buffers)."""
    nq = queries.shape[0]
    for b in prange((nq + block - 1) // block):
        lo = b * block
        forward_block(
            queries, lo, min(nq, lo + block), seekers, taxonomy, postings, opps, chunks, exceptions, tables,
            out_items, out_scores,
        )  # fmt: skip


@njit(cache=True)
def seeker_credits(s: int, seekers: tuple, taxonomy: tuple, best: np.ndarray, touched: np.ndarray) -> int:
    """Fill best[r, m] with the seeker's credit for required skill r at minimum level m; returns skills touched."""
    s_indptr, s_skill, s_prof, _ = seekers
    rel_indptr, rel_target, rel_fq, gq = taxonomy
    levels = gq.shape[1]
    nt = 0
    for j in range(s_indptr[s], s_indptr[s + 1]):
        k = s_skill[j]
        p = s_prof[j]
        for t in range(rel_indptr[k] - 1, rel_indptr[k + 1]):  # t = rel_indptr[k] - 1: the skill itself
            r = k if t < rel_indptr[k] else rel_target[t]
            fq = CREDIT_ONE if t < rel_indptr[k] else rel_fq[t]
            if (
                best[r, 0] == 0
            ):  # every source gives credit > 0 at minimum level 0 (discounts quantize to ≥ 1)
                touched[nt] = r
                nt += 1
            for m in range(levels):
                c = (fq * gq[p, m] + (CREDIT_ONE >> 1)) >> CREDIT_BITS
                if c > best[r, m]:
                    best[r, m] = c
    return nt


@njit(cache=True)
def seeker_postings(
    order: np.ndarray, seekers: tuple, taxonomy: tuple, n_skills: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings by required skill of the seekers order[0], order[1], …: (indptr, positions, credits).

    Posting j of a skill holds a position in order and, in column j of credits, that seeker's credit at
    each minimum level; within a skill the positions ascend.
    """
    levels = taxonomy[3].shape[1]
    best = np.zeros((n_skills, levels), np.int64)
    touched = np.empty(n_skills, np.int64)
    indptr = np.zeros(n_skills + 1, np.int64)
    for q in range(order.shape[0]):
        nt = seeker_credits(order[q], seekers, taxonomy, best, touched)
        for t in range(nt):
            indptr[touched[t] + 1] += 1
            best[touched[t], :] = 0
    for r in range(n_skills):
        indptr[r + 1] += indptr[r]
    fill = indptr[:-1].copy()
    item = np.empty(indptr[n_skills], np.int32)
    cred = np.empty((levels, indptr[n_skills]), np.int16)
    for q in range(order.shape[0]):
        nt = seeker_credits(order[q], seekers, taxonomy, best, touched)
        for t in range(nt):
            r = touched[t]
            item[fill[r]] = q
            for m in range(levels):
                cred[m, fill[r]] = best[r, m]
            fill[r] += 1
            best[r, :] = 0
    return indptr, item, cred


@njit(cache=True)
def reverse_block(
    queries: np.ndarray,
    lo: int,
    hi: int,
    levels: int,
    opps: tuple,
    o_closed: np.ndarray,
    postings: tuple,
    candidates: tuple,
    chunks: tuple,
    exceptions: tuple,
    tables: tuple,
    out_items: np.ndarray,
    out_scores: np.ndarray,
) -> None:
    """The best consenting seekers of each opportunity position in queries[lo:hi] (-1: inactive, none)."""
    o_attr, _, _, o_req_indptr, o_req_key, o_req_val = opps
    r_ptr, r_free_end, r_gap, r_cred = postings
    rs_attr, rs_id, rs_orig = candidates
    chunk_start, chunk_col, n_free_chunks = chunks
    rexc_indptr, rexc_pos, rexc_skill = exceptions
    locq, prm = tables[0], tables[2]
    k = out_items.shape[1]
    buf = np.zeros(rs_id.shape[0], np.int32)
    heap = (np.empty(k, np.int64), np.empty(k, np.int64), np.empty(k, np.int64))
    hs, hid, hp = heap
    colbound = np.empty(locq.shape[0], np.int64)
    cmax = np.empty(chunk_col.shape[0] + SEEDS * k, np.int64)
    for qi in range(lo, hi):
        o = queries[qi]
        if o < 0:
            heap_drain(hs, hid, hp, 0, rs_orig, out_items[qi], out_scores[qi])
            continue
        fixed = o_attr[o]
        closed = o_closed[o]
        for q in range(o_req_indptr[o], o_req_indptr[o + 1]):
            r = o_req_key[q] // levels
            cred = r_cred[o_req_key[q] - r * levels]
            w = o_req_val[q]
            pos = uint64(0)
            for j in range(uint64(r_ptr[r]), uint64(r_free_end[r] if closed else r_ptr[r + 1])):
                pos += r_gap[j]
                buf[pos] += w * cred[j]
        _column_bounds(colbound, locq[:, fixed[0]], fixed[0], fixed[1] >= 0, prm)
        n_chunks = n_free_chunks if closed else chunk_col.shape[0]
        size = scan(
            buf,
            n_chunks,
            (chunk_start, chunk_col),
            colbound,
            heap,
            cmax,
            rs_attr,
            rs_id,
            fixed,
            False,
            tables,
        )
        buf[:] = 0
        if closed:
            for e in range(rexc_indptr[o], rexc_indptr[o + 1]):
                i = rexc_pos[e]
                t1, t2, t3, t4, t5 = other_terms(
                    rs_attr[i, 0], rs_attr[i, 1], rs_attr[i, 2], rs_attr[i, 3], rs_attr[i, 4], rs_attr[i, 5],
                    fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], fixed[5],
                    tables,
                )  # fmt: skip
                size = heap_push(hs, hid, hp, size, k, rexc_skill[e] + t1 + t2 + t3 + t4 + t5, rs_id[i], i)
        heap_drain(hs, hid, hp, size, rs_orig, out_items[qi], out_scores[qi])


@njit(parallel=True, cache=True)
def reverse(
    queries: np.ndarray,
    block: int,
    levels: int,
    opps: tuple,
    o_closed: np.ndarray,
    postings: tuple,
    candidates: tuple,
    chunks: tuple,
    exceptions: tuple,
    tables: tuple,
    out_items: np.ndarray,
    out_scores: np.ndarray,
) -> None:
    """reverse_block over blocks of opportunities, in parallel."""
    nq = queries.shape[0]
    for b in prange((nq + block - 1) // block):
        lo = b * block
        reverse_block(
            queries, lo, min(nq, lo + block), levels, opps, o_closed, postings, candidates, chunks, exceptions,
            tables, out_items, out_scores,
        )  # fmt: skip
