"""Near-duplicate problem clues (问题线索) written in Chinese.

The same complaint about an official reaches the commission through several channels (a letter, the
12345 hotline, an inspection tour) in different words. This module decides whether two clue texts describe
the same matter and groups the near-duplicates among many clues.

A text becomes a set of character bigrams of its normalized form (:func:`normalize`, :func:`shingles`).
:func:`score` is the mean of their Jaccard and their containment, because one report is often a short
summary of another, and :func:`similar` compares it with :data:`THRESHOLD`.

Clues are compared only within one subject (the same cadre, or the same unit for clues that name only a
unit). Pass the subject's name, post and unit names (full and short forms) as ``ignore``: they appear in
every clue about the subject, and left in they make different matters about the same person look alike.
:data:`THRESHOLD` is calibrated for texts compared that way.

For a batch, :func:`group` returns the groups of near-duplicates. For an index in the database,
:func:`index_keys` gives the LSH band keys of a clue (from a :class:`MinHasher` signature) to store; the
candidates for a new clue are the clues of the same subject sharing a key (:func:`candidates`), confirmed
with :func:`score`. Subjects are small enough that comparing a new clue with every clue of its subject is
cheap too, and misses nothing; see :data:`EXACT_LIMIT`.

Pure module: the standard library, plus OpenCC when installed (Traditional to Simplified).
"""

import functools
import hashlib
import operator
import re
import struct
import unicodedata
from collections import defaultdict

__all__ = [
    "BANDS",
    "EXACT_LIMIT",
    "NUM_PERM",
    "THRESHOLD",
    "VERSION",
    "MinHasher",
    "candidates",
    "containment",
    "default_hasher",
    "group",
    "index_keys",
    "jaccard",
    "matches",
    "normalize",
    "score",
    "set_score",
    "shingles",
    "similar",
]

#: Bump whenever normalize(), shingles() or the hashing change: stored band keys of another version must be
#: recomputed, or clues indexed before and after the change no longer find each other.
VERSION = 1

#: Decision threshold on :func:`score`, for texts compared with their subject passed as ``ignore``.
#: Calibrated on the examples in tests/clues/test_similarity.py: reworded reports of one matter score
#: 0.17-0.80 (two loose rewordings, a call against a spot-check finding, a long letter against a short
#: report are the lowest), different matters about the same person 0.00-0.08; 0.15 keeps every reworded
#: pair, 0.07 above the different ones. On generated clues it finds 96 % of the pairs of reports of one
#: matter, and 95 % of the pairs it finds are right (0.98 and 0.89 once group() has joined them up). Not
#: calibrated without ``ignore``: different matters then score 0.11-0.27 and reworded ones from 0.30, too
#: close for any threshold. Two matters of the same kind (two untendered projects of one town) score
#: 0.18-0.23: bigrams cannot tell them apart, a reader must.
THRESHOLD = 0.15

#: MinHash permutations per signature.
NUM_PERM = 64

#: LSH bands for 64 permutations: 32 bands of 2 rows. Probability that two texts of Jaccard J share at
#: least one band key, 1 - (1 - J**2) ** 32:
#:   J = 0.05: 0.08   0.1: 0.28   0.15: 0.52   0.2: 0.73   0.3: 0.95   0.4: 0.996   0.5: 0.9999
#: 16 bands of 4 rows give only 0.64 at J = 0.5 and 0.03 at 0.2; 21 of 3 give 0.94 and 0.16. Reworded reports
#: of one matter have a bigram Jaccard of 0.08-0.5, hence rows of 2, at the price of more candidates to
#: confirm (0.08 at J = 0.05) and 32 keys to store per clue. Even so, pairs near the threshold have a Jaccard
#: near 0.1 and are often missed: on generated clues band keys find 80 % of the duplicates that scoring every
#: pair of the subject does.
BANDS = 32

#: group() scores every pair of a subject with at most this many clues, and only the pairs that share a
#: band key above it. Scoring every pair misses nothing and is as fast up to about this size: a pair costs
#: 2 µs, a clue's signature and band keys 125 µs, and confirming its candidates more (on 2 slow cores).
EXACT_LIMIT = 150

# Words that say how a matter arrived or that it is a matter, not what happened. Every clue has some of
# them whatever its content, so they add bigrams shared by unrelated clues, and a letter ("群众来信反映"),
# a hotline record ("市民来电反映") and an inspection finding ("巡察发现", "经查") of the same matter
# differ in them. Only words of two or more characters that seldom occur inside other words are listed;
# single characters (的, 其, 该) stay, because removing them would break real words (目的, 尤其). Words
# that describe conduct (违规, 涉嫌, 收受) stay however common they are.
_FILLER = (
    "据群众反映",
    "12345热线",
    "据反映",
    "据举报",
    "反映",
    "举报",
    "来信",
    "来电",
    "热线",
    "群众",
    "市民",
    "有人",
    "问题",
    "情况",
    "存在",
    "经核查",
    "经查实",
    "经查",
    "巡察发现",
    "审计发现",
    "检查发现",
    "抽查发现",
    "督查发现",
)
# The request that ends a hotline record ("希望有关部门调查处理", "请相关部门核实处理", "请求查处") is as
# empty, and long enough to make two short records about different matters look alike. Only phrases that
# begin with a request and end with 处理 or 查处 are removed.
_REQUEST = (
    r"(?:希望|请求|恳请|请)(?:有关|相关|上级)?(?:部门|单位|领导|纪委)?(?:予以|依法|严肃)?(?:调查|核实|核查)?(?:处理|查处)"
)
_FILLER_RE = re.compile("|".join([_REQUEST, *map(re.escape, sorted(_FILLER, key=len, reverse=True))]))
# \W is Unicode-aware: it matches Chinese and ASCII punctuation, symbols and whitespace, but not Han
# characters, letters or digits; "_" is a word character and must be named.
_NON_WORD_RE = re.compile(r"[\W_]+")
# Texts shorter than this many bigrams count as this long for containment, so that a clue of a few words
# is not "contained" in every longer clue that happens to use them; two equal short texts still score 1.
_CONTAINMENT_FLOOR = 10

_MERSENNE = (1 << 61) - 1
# A value no permutation reaches (they are all below the prime): the signature of an empty text.
_EMPTY = _MERSENNE
# Shingle rows kept per hasher: about 600 bytes each, 40 MB in all. Texts share most of their bigrams, so
# hashing each one only once per process saves more than half of the signature time.
_ROW_CACHE_SIZE = 1 << 16
_HEX_BYTE = [f"{i:02x}" for i in range(256)]


@functools.cache
def _converter():
    try:
        import opencc
    except ImportError:  # only Traditional texts then fail to match their Simplified versions
        return None
    return opencc.OpenCC("t2s")


def _plain(text):
    """NFKC, Simplified, lower case, and nothing but letters and digits."""
    # Punctuation goes first: full-width punctuation (，。：) fails NFKC's quick check, and without it most
    # texts pass, which saves NFKC's 30 µs. NFKC can make new punctuation (⑴ is "(1)"), hence the second pass.
    text = _NON_WORD_RE.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = _NON_WORD_RE.sub("", unicodedata.normalize("NFKC", text))
    converter = _converter()
    if converter is not None:
        text = converter.convert(text)
    return text.lower()


@functools.lru_cache(maxsize=1024)
def _ignore_terms(ignore):
    # Longest first, so that 城厢区柳桥镇 goes before 柳桥镇 could leave 城厢区 behind. Plain replace():
    # a regular expression per subject would cost more to compile than all its clues to normalize.
    return sorted({_plain(term) for term in ignore} - {""}, key=lambda term: (-len(term), term))


def normalize(text, ignore=()):
    """
    Return ``text`` in the form that is compared: NFKC, Traditional converted to Simplified, lower case,
    without whitespace, punctuation or filler (反映, 举报, 群众, 经查, 巡察发现, 希望有关部门调查处理, ...).
    Digits are kept: amounts, dates and plate numbers tell matters apart.

    ``ignore`` is an iterable of strings (the subject's name, post, unit names) removed from the text before
    the filler, so that a unit called 群众工作部 goes as a whole.
    """
    text = _plain(text)
    if ignore:
        if isinstance(ignore, str):  # one term, not its characters
            ignore = (ignore,)
        for term in _ignore_terms(ignore if isinstance(ignore, tuple) else tuple(ignore)):
            text = text.replace(term, "")
    return _FILLER_RE.sub("", text)


def shingles(text, n=2, ignore=()):
    """
    Return the character ``n``-grams of the normalized ``text`` as a frozenset; a normalized text shorter
    than ``n`` is its own only shingle, and an empty one has none.
    """
    text = normalize(text, ignore)
    if len(text) < n:
        return frozenset([text]) if text else frozenset()
    return frozenset({text[i : i + n] for i in range(len(text) - n + 1)})


def jaccard(a, b):
    """Return |a ∩ b| / |a ∪ b| for two sets; 0.0 if both are empty."""
    if not a and not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def containment(a, b):
    """Return |a ∩ b| / min(|a|, |b|), how much of the smaller set is in the other; 0.0 if one is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def set_score(a, b):
    """
    Return the similarity of two shingle sets, between 0 and 1: the mean of their Jaccard and their
    containment, where the smaller set counts as at least 10 shingles (or as large as the other, if smaller).

    Jaccard alone undervalues a short report against the long letter that details it: 0.08 in the
    examples, under different matters of the same person, where containment gives 0.39. Containment alone
    overvalues two short records that share a stock phrase or a company's name, since for texts of similar
    length it is about twice their Jaccard: on generated clues, at the same recall, it let through 60 % more
    different matters than the mean does.
    """
    if not a or not b:
        return 0.0
    common = len(a & b)
    if not common:
        return 0.0
    smaller, larger = sorted((len(a), len(b)))
    smaller = max(smaller, min(larger, _CONTAINMENT_FLOOR))
    return (common / (len(a) + len(b) - common) + common / smaller) / 2


def score(text_a, text_b, ignore=()):
    """Return the similarity of two clue texts, between 0 and 1 (see :func:`set_score`)."""
    return set_score(shingles(text_a, ignore=ignore), shingles(text_b, ignore=ignore))


def similar(text_a, text_b, threshold=THRESHOLD, ignore=()):
    """Return whether two clue texts about the same subject describe the same matter."""
    return score(text_a, text_b, ignore=ignore) >= threshold


class MinHasher:
    """
    MinHash signatures of shingle sets, and their LSH band keys.

    Deterministic across processes, platforms and Python versions: shingles are hashed with BLAKE2b (not
    ``hash()``, which is salted per process) and the permutations ``(a * x + b) mod (2**61 - 1)`` take their
    parameters from BLAKE2b of the seed.
    """

    def __init__(self, num_perm=NUM_PERM, seed=1):
        if num_perm < 1:
            raise ValueError("num_perm must be at least 1")
        self.num_perm = num_perm
        self.seed = seed
        params = []
        for i in range(num_perm):
            digest = hashlib.blake2b(f"minhash:{seed}:{i}".encode(), digest_size=16).digest()
            a = int.from_bytes(digest[:8], "little") % (_MERSENNE - 1) + 1
            b = int.from_bytes(digest[8:], "little") % _MERSENNE
            params.append((a, b))
        self._params = tuple(params)
        self._lanes = struct.Struct(f"<{num_perm}Q")
        self._guard = self._pack([1 << 63] * num_perm)
        self._row = functools.lru_cache(maxsize=_ROW_CACHE_SIZE)(self._compute_row)

    def _pack(self, values):
        return int.from_bytes(self._lanes.pack(*values), "little")

    def _compute_row(self, shingle):
        """The shingle's value under every permutation, packed as 64-bit lanes of one int."""
        x = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "little")
        return self._pack([(a * x + b) % _MERSENNE for a, b in self._params])

    def signature_of(self, shingle_set):
        """Return the signature of a set of shingles: for each permutation, the least value of a shingle."""
        rows = map(self._row, shingle_set)
        low = next(rows, None)
        if low is None:
            return (_EMPTY,) * self.num_perm
        guard = self._guard
        for row in rows:
            # Lane-wise minimum of all lanes at once, twice as fast as min() lane by lane. Bit 63 of each
            # lane is a guard: (low | guard) - row keeps it where low >= row, and no borrow crosses into
            # the next lane because every value is below 2**61. Where it is kept, take the row's value.
            kept = ((low | guard) - row) & guard
            low ^= (low ^ row) & (kept - (kept >> 63))
        return self._lanes.unpack(low.to_bytes(self._lanes.size, "little"))

    def signature(self, text, ignore=()):
        """Return the MinHash signature of a clue text, a tuple of ``num_perm`` ints."""
        return self.signature_of(shingles(text, ignore=ignore))

    @staticmethod
    def similarity(sig_a, sig_b):
        """Return the fraction of equal positions of two signatures, an estimate of the texts' Jaccard."""
        if len(sig_a) != len(sig_b):
            raise ValueError("signatures of different lengths")
        if sig_a[0] == _EMPTY or sig_b[0] == _EMPTY:
            return 0.0
        return sum(map(operator.eq, sig_a, sig_b)) / len(sig_a)

    @staticmethod
    def band_keys(signature, bands=BANDS):
        """
        Return the LSH band keys of a signature, the strings to store in the index: one per band, its index
        in two hex digits then 8 hex digits per row (18 characters for 2 rows). Two clues are candidates
        when they share a key (see :data:`BANDS` for the probability). An empty text has no keys.
        """
        rows = len(signature) // bands if bands > 0 else 0
        if rows < 1 or bands > 256:
            raise ValueError(f"cannot cut a signature of {len(signature)} into {bands} bands")
        if signature[0] == _EMPTY:
            return []
        # The rows are uniform hash values already: a key is the low 32 bits of each, in hex, after the
        # band's index. Hashing them again (BLAKE2b per band) would cost half as much as the signature.
        low = struct.pack(f"<{len(signature)}I", *[value & 0xFFFFFFFF for value in signature]).hex()
        width = 8 * rows
        return [_HEX_BYTE[band] + low[band * width : band * width + width] for band in range(bands)]


@functools.cache
def default_hasher():
    """The shared :class:`MinHasher` with the default parameters, which stored keys were made with."""
    return MinHasher()


def index_keys(text, ignore=(), bands=BANDS):
    """Return the band keys of a clue text to store in the index (with :data:`VERSION`)."""
    hasher = default_hasher()
    return hasher.band_keys(hasher.signature(text, ignore=ignore), bands)


def matches(text, others, ignore=(), threshold=THRESHOLD):
    """
    Return the clues among ``others`` that are near-duplicates of ``text``, as ``(key, score)`` pairs, best
    first (then in the order of ``others``).

    ``others`` is an iterable of ``(key, text)``: the clues of the same subject, or the candidates that share
    a band key with ``text``. Scoring all the clues of a subject misses nothing and takes about 30 ms for
    300 clues, nearly all of it to normalize their texts.
    """
    new = shingles(text, ignore=ignore)
    found = [(key, set_score(new, shingles(other, ignore=ignore))) for key, other in others]
    return sorted((pair for pair in found if pair[1] >= threshold), key=lambda pair: -pair[1])


def candidates(keys, index):
    """
    Return the set of clues in ``index`` sharing at least one of ``keys``.

    ``index`` maps a band key to the clues that have it, as the database table of band keys does (filtered
    by subject); ``keys`` are the new clue's :func:`index_keys`. Confirm each candidate with :func:`score`.
    """
    found = set()
    for key in keys:
        found.update(index.get(key, ()))
    return found


def _pairs_exact(sets):
    for i in range(1, len(sets)):
        a = sets[i]
        for j in range(i):
            yield j, i, set_score(a, sets[j])


def _pairs_lsh(sets, hasher, bands):
    index = defaultdict(list)
    for i, shingle_set in enumerate(sets):
        found = set()
        for key in hasher.band_keys(hasher.signature_of(shingle_set), bands):
            bucket = index[key]
            found.update(bucket)
            bucket.append(i)
        for j in sorted(found):
            yield j, i, set_score(shingle_set, sets[j])


def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def group(items, threshold=THRESHOLD, *, exact_limit=EXACT_LIMIT, hasher=None, bands=BANDS):
    """
    Return the groups of near-duplicate clues among ``items``.

    ``items`` is an iterable of ``(key, subject, text)`` or ``(key, subject, text, ignore)``; only clues of
    the same subject are compared. Each group is a list of at least two keys, near-duplicates directly or
    through other members, in the order of ``items``; groups are ordered by their first member. Joining
    through other members can bring two matters together by way of a report that resembles both.

    A subject with at most ``exact_limit`` clues has every pair scored; a larger one only the pairs that
    share a band key (``exact_limit=0`` does that everywhere, as the index in the database would).
    """
    hasher = hasher or default_hasher()
    subjects = defaultdict(list)
    for position, (key, subject, text, *rest) in enumerate(items):
        subjects[subject].append((position, key, text, rest[0] if rest else ()))

    groups = []
    for members in subjects.values():
        if len(members) < 2:
            continue
        sets = [shingles(text, ignore=ignore) for _, _, text, ignore in members]
        pairs = _pairs_exact(sets) if len(members) <= exact_limit else _pairs_lsh(sets, hasher, bands)
        parent = list(range(len(members)))
        for i, j, value in pairs:
            if value >= threshold:
                root_i, root_j = _find(parent, i), _find(parent, j)
                if root_i != root_j:
                    parent[max(root_i, root_j)] = min(root_i, root_j)
        found = defaultdict(list)
        for i, member in enumerate(members):
            found[_find(parent, i)].append(member)
        groups.extend(g for g in found.values() if len(g) > 1)

    groups.sort(key=lambda g: g[0][0])
    return [[key for _, key, _, _ in g] for g in groups]
