//! A small, fast zlib encoder for filtered PNG rows: runs of a repeated byte as matches at
//! distance 1, everything else as literals, with Huffman codes fitted to each block.
//!
//! Filtered image rows are mostly runs of zeros (flat colour) and small residuals with no
//! repeats worth searching for (photographs, anti-aliased edges). An encoder that only looks
//! for runs needs no hash table; codes fitted to each block's own residuals are what turns
//! the rounding of photographs into bytes saved, which a fixed table (fdeflate's) cannot.
//! See the crate README for the measurements.

/// Tokens per deflate block: each block gets its own codes, so a stretch of photograph and
/// a stretch of flat panel are each coded for what they hold. Flat rows make few tokens, so
/// a block covers many of them and few of a photograph. Half this costs a card 0.07 ms more
/// in building codes and saves 0.1 KiB; twice this adds 0.7 KiB.
const BLOCK_TOKENS: usize = 32 * 1024;
/// Deflate's longest match.
const MAX_RUN: usize = 258;
/// Deflate's shortest match.
const MIN_RUN: usize = 3;
/// The end-of-block symbol.
const END_OF_BLOCK: usize = 256;
/// Literal/length symbols: 256 literals, end of block, 29 length codes.
const LITLEN_SYMBOLS: usize = 286;
/// Longest code given to a literal or length. Deflate allows 15; at 13 a code with its extra
/// bits and distance is at most 19 bits, and three fit one 64-bit store with the 7 bits left
/// over (see `BitWriter::codes`).
const MAX_CODE_BITS: u8 = 13;
/// Longest code deflate allows for the code-length alphabet.
const MAX_CODE_LENGTH_BITS: u8 = 7;
/// The order in which code-length code lengths are sent (RFC 1951, 3.2.7).
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
/// First match length of each length code 257..=285 (RFC 1951, 3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
/// Extra bits of each length code 257..=285.
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// A token: a literal byte (`0..256`) or a run of the previous byte, stored as `256 + length`.
type Token = u16;

/// A zlib stream (RFC 1950) of dynamic-Huffman deflate blocks, fed a row at a time.
pub(crate) struct Compressor {
    out: BitWriter,
    tokens: Vec<Token>,
    adler: simd_adler32::Adler32,
}

impl Compressor {
    /// A compressor expecting about `input` bytes.
    pub(crate) fn new(input: usize) -> Self {
        let mut out = BitWriter::with_capacity(input / 8 + 1024);
        // CMF: deflate with a 32 KiB window; FLG: fastest compression, no dictionary, check bits.
        out.bytes(&[0x78, 0x01]);
        Self {
            out,
            tokens: Vec::with_capacity(BLOCK_TOKENS * 2),
            adler: simd_adler32::Adler32::new(),
        }
    }

    /// Compresses the next bytes. Runs never continue from one call into the next, which
    /// costs nothing for PNG rows: each starts with its filter type.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.adler.write(bytes);
        self.tokens.reserve(bytes.len());
        let mut i = 0;
        // Eight bytes at a time: a word of eight equal bytes starts a run, which takes in
        // the equal bytes before it and runs on as far as it goes; any other word is eight
        // literals, with no test per byte. Runs shorter than a word are left as literals,
        // which in a filtered image are mostly zeros on a code of a bit or two.
        while let Some(word) = bytes.get(i..i + 8) {
            let word: [u8; 8] = word.try_into().unwrap_or_default();
            let byte = word[0];
            if word != [byte; 8] {
                self.tokens.extend(word.map(Token::from));
                i += 8;
                continue;
            }
            let mut before = 0;
            while self.tokens.last() == Some(&Token::from(byte)) && before < i.min(8) {
                self.tokens.pop();
                before += 1;
            }
            self.tokens.push(Token::from(byte));
            let run = before + 7 + run_length(&bytes[i + 8..], byte);
            self.run(byte, run);
            i += run + 1 - before;
        }
        self.tokens
            .extend(bytes[i..].iter().map(|&byte| Token::from(byte)));
        if self.tokens.len() >= BLOCK_TOKENS {
            self.block(false);
        }
    }

    /// Tokens for `run` more copies of `byte`: matches at distance 1, then literals for a
    /// remainder too short to be a match.
    fn run(&mut self, byte: u8, mut run: usize) {
        while run >= MIN_RUN {
            let mut length = run.min(MAX_RUN);
            // Never leave a remainder of one or two that cannot be a match of its own.
            if (1..MIN_RUN).contains(&(run - length)) {
                length -= MIN_RUN;
            }
            self.tokens
                .push(256 + u16::try_from(length).unwrap_or(u16::MAX));
            run -= length;
        }
        for _ in 0..run {
            self.tokens.push(Token::from(byte));
        }
    }

    /// Writes the tokens so far as one block.
    fn block(&mut self, last: bool) {
        write_block(&mut self.out, &self.tokens, last);
        self.tokens.clear();
    }

    /// Ends the stream and returns it.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.block(true);
        self.out.align();
        self.out.bytes(&self.adler.finish().to_be_bytes());
        self.out.finish()
    }
}

/// Compresses `data` as one zlib stream.
#[cfg(test)]
pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
    let mut compressor = Compressor::new(data.len());
    compressor.write(data);
    compressor.finish()
}

/// How many bytes at the start of `rest` equal `byte`.
fn run_length(rest: &[u8], byte: u8) -> usize {
    let pattern = u64::from_le_bytes([byte; 8]);
    let mut chunks = rest.chunks_exact(8);
    let mut run = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ pattern;
        if word != 0 {
            return run + word.trailing_zeros() as usize / 8;
        }
        run += 8;
    }
    run + chunks
        .remainder()
        .iter()
        .take_while(|&&other| other == byte)
        .count()
}

/// The length code (0-based, for symbol `257 + code`) and extra bits of a match length.
fn length_code(length: usize) -> (usize, u32, u8) {
    /// The length code of every match length, worked out once.
    const CODES: [u8; MAX_RUN + 1] = {
        let mut codes = [0; MAX_RUN + 1];
        let mut length = MIN_RUN;
        let mut code = 0;
        while length <= MAX_RUN {
            while code + 1 < LENGTH_BASE.len() && LENGTH_BASE[code + 1] as usize <= length {
                code += 1;
            }
            #[allow(clippy::cast_possible_truncation)]
            {
                codes[length] = code as u8;
            }
            length += 1;
        }
        codes
    };
    let code = usize::from(CODES[length]);
    let extra = u32::try_from(length).unwrap_or(0) - u32::from(LENGTH_BASE[code]);
    (code, extra, LENGTH_EXTRA[code])
}

/// Every token value: 256 literals, then runs of length 0 to 258 (below 3 unused).
const TOKEN_VALUES: usize = 256 + MAX_RUN + 1;

/// Writes one dynamic-Huffman block of `tokens`.
fn write_block(out: &mut BitWriter, tokens: &[Token], last: bool) {
    // Count each token value in four interleaved tables, so a long stretch of one value (the
    // zero residuals) is not one chain of dependent increments; then fold runs into their
    // length codes.
    let mut counts = [[0_u32; TOKEN_VALUES]; 4];
    let mut quads = tokens.chunks_exact(4);
    for quad in &mut quads {
        for (table, &token) in counts.iter_mut().zip(quad) {
            table[usize::from(token)] += 1;
        }
    }
    for &token in quads.remainder() {
        counts[0][usize::from(token)] += 1;
    }
    let mut frequencies = [0_u32; LITLEN_SYMBOLS];
    for value in 0..TOKEN_VALUES {
        let count: u32 = counts.iter().map(|table| table[value]).sum();
        if count == 0 {
            continue;
        }
        let symbol = if value < 256 {
            value
        } else {
            257 + length_code(value - 256).0
        };
        frequencies[symbol] += count;
    }
    frequencies[END_OF_BLOCK] = 1;
    let litlen_lengths = code_lengths(&frequencies, MAX_CODE_BITS);
    let litlen = canonical_codes(&litlen_lengths);
    // Every match is at distance 1 (distance code 0). Two one-bit distance codes make a
    // complete code, which every inflater accepts, where a lone code is a special case.
    let distance_lengths = [1_u8, 1];

    let used_litlen = litlen_lengths
        .iter()
        .rposition(|&length| length > 0)
        .map_or(257, |last| (last + 1).max(257));
    let mut all_lengths = litlen_lengths[..used_litlen].to_vec();
    all_lengths.extend_from_slice(&distance_lengths);
    let code_length_tokens = run_length_code_lengths(&all_lengths);
    let mut code_length_frequencies = [0_u32; 19];
    for &(symbol, _) in &code_length_tokens {
        code_length_frequencies[usize::from(symbol)] += 1;
    }
    let code_length_lengths = code_lengths(&code_length_frequencies, MAX_CODE_LENGTH_BITS);
    let code_length_codes = canonical_codes(&code_length_lengths);
    let sent_code_lengths = CODE_LENGTH_ORDER
        .iter()
        .rposition(|&symbol| code_length_lengths[symbol] > 0)
        .map_or(4, |last| (last + 1).max(4));

    // Header: BFINAL, BTYPE = 10 (dynamic), HLIT, HDIST, HCLEN.
    out.bits(u32::from(last), 1);
    out.bits(0b10, 2);
    out.bits(count_bits(used_litlen - 257), 5);
    out.bits(count_bits(distance_lengths.len() - 1), 5);
    out.bits(count_bits(sent_code_lengths - 4), 4);
    for &symbol in &CODE_LENGTH_ORDER[..sent_code_lengths] {
        out.bits(u32::from(code_length_lengths[symbol]), 3);
    }
    for &(symbol, extra) in &code_length_tokens {
        let (code, length) = code_length_codes[usize::from(symbol)];
        out.bits(code, length);
        let extra_bits = match symbol {
            16 => 2,
            17 => 3,
            18 => 7,
            _ => 0,
        };
        out.bits(u32::from(extra), extra_bits);
    }

    // Each token's bits in one piece, with their count in the top byte: a literal's code, or
    // a length's code, its extra bits and distance code 0 (a single 0 bit, the first of two
    // one-bit codes). At most 13 + 5 + 1 bits.
    let mut table = [0_u32; TOKEN_VALUES];
    for (token, entry) in table.iter_mut().enumerate() {
        let (code, length) = if token < 256 {
            litlen[token]
        } else if token - 256 >= MIN_RUN {
            let (index, extra, extra_bits) = length_code(token - 256);
            let (code, length) = litlen[257 + index];
            (code | (extra << length), length + extra_bits + 1)
        } else {
            (0, 0)
        };
        *entry = code | u32::from(length) << 24;
    }
    out.codes(tokens, &table);
    let (code, length) = litlen[END_OF_BLOCK];
    out.bits(code, length);
}

/// A count that fits a header field, as the bits to write.
fn count_bits(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(0)
}

/// Run-length codes a sequence of code lengths with symbols 16 (repeat the previous length
/// 3–6 times), 17 (3–10 zeros) and 18 (11–138 zeros), as `(symbol, extra bits value)`.
fn run_length_code_lengths(lengths: &[u8]) -> Vec<(u8, u8)> {
    let mut tokens = Vec::with_capacity(lengths.len());
    let mut i = 0;
    while i < lengths.len() {
        let length = lengths[i];
        let run = lengths[i..].iter().take_while(|&&l| l == length).count();
        if length == 0 && run >= 3 {
            let take = run.min(138);
            let count = u8::try_from(take).unwrap_or(u8::MAX);
            tokens.push(if take >= 11 {
                (18, count - 11)
            } else {
                (17, count - 3)
            });
            i += take;
        } else if length != 0 && run >= 4 {
            tokens.push((length, 0));
            let take = (run - 1).min(6);
            tokens.push((16, u8::try_from(take).unwrap_or(6) - 3));
            i += 1 + take;
        } else {
            tokens.push((length, 0));
            i += 1;
        }
    }
    tokens
}

/// Huffman code lengths for `frequencies`, none longer than `limit` bits.
///
/// Symbols with frequency 0 get length 0. A lone used symbol gets a partner of length 1 so
/// the code is complete.
fn code_lengths(frequencies: &[u32], limit: u8) -> Vec<u8> {
    let mut lengths = vec![0_u8; frequencies.len()];
    // Used symbols, most frequent last (ties by symbol, so the result is deterministic).
    let mut symbols: Vec<usize> = (0..frequencies.len())
        .filter(|&symbol| frequencies[symbol] > 0)
        .collect();
    match symbols.len() {
        0 => {
            lengths[0] = 1;
            lengths[1] = 1;
            return lengths;
        }
        1 => {
            let partner = usize::from(symbols[0] == 0);
            lengths[symbols[0]] = 1;
            lengths[partner] = 1;
            return lengths;
        }
        _ => {}
    }
    symbols.sort_unstable_by_key(|&symbol| (u64::from(frequencies[symbol]) << 16) | symbol as u64);

    // Depths from a Huffman tree built with two queues: leaves in order of frequency, and
    // internal nodes, which are created in order of frequency too.
    let leaves = symbols.len();
    let mut weight: Vec<u64> = symbols
        .iter()
        .map(|&symbol| u64::from(frequencies[symbol]))
        .collect();
    let mut parent = vec![0_usize; 2 * leaves - 1];
    let (mut next_leaf, mut next_node) = (0, leaves);
    for node in leaves..2 * leaves - 1 {
        let mut take = || {
            let leaf_first =
                next_leaf < leaves && (next_node >= node || weight[next_leaf] <= weight[next_node]);
            if leaf_first {
                next_leaf += 1;
                next_leaf - 1
            } else {
                next_node += 1;
                next_node - 1
            }
        };
        let (first, second) = (take(), take());
        weight.push(weight[first] + weight[second]);
        parent[first] = node;
        parent[second] = node;
    }
    // The root is the last node; a node's depth is its parent's plus one.
    let mut depth = vec![0_u32; 2 * leaves - 1];
    for node in (0..2 * leaves - 2).rev() {
        depth[node] = depth[parent[node]] + 1;
    }

    // Count codes per length, folding anything deeper than the limit into it, then take
    // codes from the longest shorter lengths until the Kraft sum is exactly one again.
    let limit = usize::from(limit);
    let mut per_length = vec![0_u32; limit + 1];
    for &leaf_depth in &depth[..leaves] {
        per_length[(leaf_depth as usize).min(limit)] += 1;
    }
    let full = 1_u64 << limit;
    let mut kraft: u64 = (1..=limit)
        .map(|length| u64::from(per_length[length]) << (limit - length))
        .sum();
    while kraft > full {
        per_length[limit] -= 1;
        if let Some(length) = (1..limit).rev().find(|&length| per_length[length] > 0) {
            per_length[length] -= 1;
            per_length[length + 1] += 2;
        }
        kraft -= 1;
    }
    // The most frequent symbols (last in `symbols`) take the shortest codes.
    let mut assign = symbols.iter().rev();
    for (length, &count) in per_length.iter().enumerate().skip(1) {
        for _ in 0..count {
            if let Some(&symbol) = assign.next() {
                lengths[symbol] = u8::try_from(length).unwrap_or(MAX_CODE_BITS);
            }
        }
    }
    lengths
}

/// Canonical codes for `lengths` (RFC 1951, 3.2.2), bit-reversed for writing least
/// significant bit first, with their lengths.
fn canonical_codes(lengths: &[u8]) -> Vec<(u32, u8)> {
    let mut per_length = [0_u32; 16];
    for &length in lengths {
        per_length[usize::from(length)] += 1;
    }
    per_length[0] = 0;
    let mut next = [0_u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + per_length[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&length| {
            if length == 0 {
                return (0, 0);
            }
            let code = next[usize::from(length)];
            next[usize::from(length)] += 1;
            (code.reverse_bits() >> (32 - u32::from(length)), length)
        })
        .collect()
}

/// Writes bits least significant first, as deflate packs them.
///
/// `out` is zeroed ahead of `len`, the bytes written, and grows by doubling: the hot loop
/// writes whole words into it without reallocating or zeroing again.
struct BitWriter {
    out: Vec<u8>,
    len: usize,
    buffer: u64,
    count: u32,
}

impl BitWriter {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            out: vec![0; capacity],
            len: 0,
            buffer: 0,
            count: 0,
        }
    }

    /// Makes room for `extra` more bytes.
    fn reserve(&mut self, extra: usize) {
        if self.len + extra > self.out.len() {
            let size = (self.len + extra).max(self.out.len() * 2);
            self.out.resize(size, 0);
        }
    }

    /// Appends one byte.
    fn push(&mut self, byte: u8) {
        self.reserve(1);
        self.out[self.len] = byte;
        self.len += 1;
    }

    /// Appends the low `count` bits of `bits` (at most 32).
    #[inline]
    fn bits(&mut self, bits: u32, count: u8) {
        self.buffer |= u64::from(bits) << self.count;
        self.count += u32::from(count);
        if self.count >= 32 {
            for byte in &self.buffer.to_le_bytes()[..4] {
                self.push(*byte);
            }
            self.buffer >>= 32;
            self.count -= 32;
        }
    }

    /// Appends the code of each token from `table` (bits in the low 24, their count in the
    /// top 8).
    fn codes(&mut self, tokens: &[Token], table: &[u32; TOKEN_VALUES]) {
        // Into a whole number of bytes first, so the buffer starts below 8 bits.
        while self.count >= 8 {
            self.push(self.buffer.to_le_bytes()[0]);
            self.buffer >>= 8;
            self.count -= 8;
        }
        let (mut buffer, mut count) = (self.buffer, u64::from(self.count));
        // At most 21 bits a token, so two tokens fit the buffer with the 7 bits left over.
        // Every pair stores the whole buffer and moves on by the bytes it completed: no
        // branch that a code's length could make mispredicted.
        self.reserve(tokens.len() * 3 + 16);
        let mut at = self.len;
        let out = &mut self.out[..];
        let entry = |token: Token| {
            let entry = table[usize::from(token)];
            (u64::from(entry & 0x00FF_FFFF), u64::from(entry >> 24))
        };
        let mut triples = tokens.chunks_exact(3);
        for triple in &mut triples {
            let (first, first_bits) = entry(triple[0]);
            let (second, second_bits) = entry(triple[1]);
            let (third, third_bits) = entry(triple[2]);
            buffer |= first << count;
            buffer |= second << (count + first_bits);
            buffer |= third << (count + first_bits + second_bits);
            count += first_bits + second_bits + third_bits;
            out[at..at + 8].copy_from_slice(&buffer.to_le_bytes());
            let whole = count / 8;
            at += usize::try_from(whole).unwrap_or(0);
            // `count` is at most 7 + 3 × 19 = 64: a shift by all 64 bits empties the buffer.
            buffer = buffer
                .checked_shr(u32::try_from(whole * 8).unwrap_or(64))
                .unwrap_or(0);
            count &= 7;
        }
        for &token in triples.remainder() {
            let (bits, length) = entry(token);
            buffer |= bits << count;
            count += length;
        }
        // What lies beyond `at` was written from the buffer, which still holds it: zero it,
        // as `reserve` promises.
        out[at..at + 8].fill(0);
        self.len = at;
        self.buffer = 0;
        self.count = 0;
        // At most 7 + 21 bits are left: put them back through the checked path.
        self.bits(
            u32::try_from(buffer).unwrap_or(0),
            u8::try_from(count).unwrap_or(0),
        );
    }

    /// Pads with zero bits to the next byte boundary and flushes the buffer.
    fn align(&mut self) {
        while self.count > 0 {
            self.push(self.buffer.to_le_bytes()[0]);
            self.buffer >>= 8;
            self.count = self.count.saturating_sub(8);
        }
        self.buffer = 0;
    }

    /// Appends whole bytes; only on a byte boundary.
    fn bytes(&mut self, bytes: &[u8]) {
        debug_assert_eq!(self.count % 8, 0);
        self.align();
        for &byte in bytes {
            self.push(byte);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.truncate(self.len);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{canonical_codes, code_lengths, run_length, zlib};

    fn inflate(stream: &[u8]) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(stream)
            .read_to_end(&mut out)
            .expect("a valid zlib stream");
        out
    }

    #[test]
    fn empty_input_is_a_valid_stream() {
        assert_eq!(inflate(&zlib(&[])), Vec::<u8>::new());
    }

    #[test]
    fn runs_shrink_and_come_back() {
        let mut data = vec![0_u8; 100_000];
        data.extend((0..=255).cycle().take(5_000));
        data.extend(vec![7_u8; 1_000]);
        let stream = zlib(&data);
        assert!(stream.len() < 7_000, "{} bytes", stream.len());
        assert_eq!(inflate(&stream), data);
    }

    #[test]
    fn run_length_counts_across_words() {
        assert_eq!(run_length(&[5; 20], 5), 20);
        assert_eq!(run_length(&[5, 5, 5, 5, 5, 5, 5, 5, 5, 1], 5), 9);
        assert_eq!(run_length(&[1, 5], 5), 0);
        assert_eq!(run_length(&[], 5), 0);
    }

    #[test]
    fn code_lengths_respect_the_limit_and_fill_the_code() {
        // Fibonacci frequencies make the deepest unlimited Huffman tree.
        let mut frequencies = vec![1_u32, 1];
        while frequencies.len() < 30 {
            let n = frequencies.len();
            frequencies.push(frequencies[n - 1] + frequencies[n - 2]);
        }
        for limit in [7, 15] {
            let lengths = code_lengths(&frequencies, limit);
            assert!(lengths.iter().all(|&l| (1..=limit).contains(&l)));
            let kraft: f64 = lengths.iter().map(|&l| 0.5_f64.powi(i32::from(l))).sum();
            assert!((kraft - 1.0).abs() < 1e-12, "limit {limit}: {kraft}");
        }
    }

    #[test]
    fn canonical_codes_follow_the_rfc_example() {
        // RFC 1951, 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) give 010, 011, 100, 101, 110,
        // 00, 1110, 1111, written here bit-reversed.
        let codes = canonical_codes(&[3, 3, 3, 3, 3, 2, 4, 4]);
        let expected = [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111];
        for ((code, length), want) in codes.into_iter().zip(expected) {
            let reversed = want_reversed(want, length);
            assert_eq!(code, reversed);
        }
    }

    fn want_reversed(code: u32, length: u8) -> u32 {
        code.reverse_bits() >> (32 - u32::from(length))
    }

    proptest! {
        #[test]
        fn any_bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..70_000)) {
            prop_assert_eq!(inflate(&zlib(&data)), data);
        }

        #[test]
        fn rows_written_one_at_a_time_round_trip(
            rows in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![Just(0_u8), Just(0), Just(3), any::<u8>()], 0..2_000),
                0..40,
            )
        ) {
            let mut compressor = super::Compressor::new(0);
            for row in &rows {
                compressor.write(row);
            }
            prop_assert_eq!(inflate(&compressor.finish()), rows.concat());
        }

        #[test]
        fn runs_of_any_length_round_trip(
            runs in proptest::collection::vec((any::<u8>(), 1_usize..700), 0..200)
        ) {
            let data: Vec<u8> = runs
                .iter()
                .flat_map(|&(byte, count)| std::iter::repeat_n(byte, count))
                .collect();
            prop_assert_eq!(inflate(&zlib(&data)), data);
        }
    }
}
