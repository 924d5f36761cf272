#!/usr/bin/env python3
"""Writes tests/data/biogpt_tokenizer/golden.json: what transformers' BioGptTokenizer (sacremoses
Moses + BPE) makes of many texts, for `tests/biogpt_tokenizer.rs` to compare the Rust port with.

Run by hand, in a venv with sacremoses==0.2.0 and transformers==5.23.0 (no torch needed):

    python tools/biogpt_tokenizer_golden.py --fixtures ../shared/fixtures --data ../shared/data \
        --out tests/data/biogpt_tokenizer/golden.json

The texts: sentences drawn (seeded) from the fixtures' corpus.txt and the four corpora, fixed
probes for every Moses rule, and random strings built from awkward pieces. Every text gets its
Moses tokens per chunk between special tokens, its ids (with `</s>` in front) and both decodes.
Also written: random id sequences with both decodes, random token lists with their Moses
detokenisation, the English nonbreaking prefixes (checked against the fixture reference's
sha256) and the code points Python's `\\s` matches. `--sentences`, `--random`, `--decodes` and
`--detokenize` set the sizes (a large run is a useful one-off check; the committed file stays
small).
"""

import argparse
import csv
import glob
import hashlib
import json
import os
import random
import re
import sys
from importlib.metadata import version

from sacremoses import MosesDetokenizer, MosesTokenizer
from transformers import BioGptTokenizer

SPECIALS = ["<s>", "</s>", "<unk>", "<pad>"]

PROBES = [
    "Aspirin inhibits cyclooxygenase.",
    "Parkinson's disease isn't rare; the patients' data don't lie.",
    "It's 5 o'clock; 'tis true, 'twas said. Rock 'n' roll in the '90s and 90's.",
    "I'll we're they've I'd I'm YOU'LL WE'RE THEY'VE DON'T can't cannot gonna gotta wanna lemme gimme d'ye more'n",
    "He said 'hello.' She said \"bye.\"",
    "'Quoted' and ''double'' and ``tex'' quotes.'",
    "Dr. Smith et al. reported e.g. 5 cases vs. 3 controls (Fig. 2), i.e. no difference, etc.",
    "No. 5 and No. x and no. 7; Art. 12 and Art. b; pp. 3-4 and pp. c; Nos. 1 and 2.",
    "U.S. and U.K. sites... Wait!? Really?! ..And.. more.... dots. .",
    "Mr. Jones met Mrs. Smith and Prof. Lee in Jan. and Feb. A. B. Smith and J.R.R. Tolkien.",
    "Sentence one.Sentence two. Final period.",
    "1,000 or 1,5 mg; 3.5% ± 0.2 at pH 7.4 — p < 0.05 & q > 0.1 | r = 0.3",
    "A,B,C,D 1,a a,1 ,5 5, ,, a, b ,c 1,2,3",
    "He said \"stop\" and [see] {this} <b>bold</b> `quoted` text.",
    "anti-TNF-α co-trial: IL-6-mediated non-small-cell lung-cancer — well-known -- dash - - a- -b 5-6 -7",
    "Path a/b/c at 10:30 #tag @user $5 €3 ₹7 100°C 5×10³ ∆ µmol/L.",
    "<s> and </s> and <unk> and <pad> are BioGPT's special tokens.",
    "<s></s><unk><pad>",
    "<<s>> <s <pad </pad> <unk>x<unk> x</s>y",
    "  leading and   multiple   spaces ",
    "Tabs\tand\nnewlines\r\nare whitespace.\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u2000\u2028\u3000end",
    "control\x00\x01\x02\x7f\u200bchars",
    "",
    "   ",
    ".",
    "..",
    "...",
    "'",
    "\"",
    "a.",
    "A.",
    "No.",
    "No. 5",
    "e.g.",
    "DOTMULTI DOTDOTMULTI xDOTMULTIy THISISPROTECTED000",
    "µg/mL at 37 °C — β-lactamase, TNF-α, naïve T cells.",
    "Ligatures: ﬁbrosis ﬂuid; full-width: ＡＢＣ１２３.",
    "emoji 🧬 and CJK 细胞 are rare here. 한국어 日本語のテキスト.",
    "Hindi क्षत्रिय and Bengali ক্ষ with viramas; e\u0301 combining.",
    "Currency: $100, €5, £3, ¥7 and ¿Qué? ¡Sí! „Zitat“ and “quoted” ‘single’.",
    "5'-UTR and 3'-end; 2'-O-methyl; the 5' end.",
    "a'b 1'2 a'1 1'a 1's 1'S a' 'a ' a",
    "Mg2+ and Ca2+ ions; Na+/K+-ATPase; CO2; H2O2; [3H]-naloxone (8 nM).",
    "blaTEM-1 was detected in 3 of 17 isolates (p=0.03).",
    "The patient (n = 12) had a BMI ≥ 30 kg/m² and HbA1c ≤ 7%.",
    "http://example.org/a/b and user@example.com",
    "chemical: aspirin; disease: pain | relation: CID",
    "Answer: (aspirin, treats, headache); (ibuprofen, causes, ulcer).",
    "x.'",
    "He said no.'",
]

PIECES = [
    "a", "Z", "é", "ß", "µ", "β", "α", "细", "胞", "가", "ア", "🧬", "½", "²", "³", "٣", "१", "क्ष",
    "e\u0301", "ﬁ", "Ａ", "0", "7", "12", "3.5", "1,000", ",", ".", "..", "...", "....", "'", "''",
    "\"", "`", "``", "-", "--", "—", "–", "@", "#", "$", "€", "£", "%", "&", "|", "<", ">", "[", "]",
    "{", "}", "(", ")", "/", "\\", ":", ";", "!", "?", "¿", "¡", "„", "“", "”", "‘", "’", "*", "+",
    "=", "~", "^", "_", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2009", "\u3000", "\x1c", "\x01",
    "\x7f", "\u200b", "DOTMULTI", "DOTDOTMULTI", "No", "No.", "no", "Art.", "pp.", "Dr.", "Mr.",
    "e.g.", "i.e.", "U.S.", "vs.", "etc.", "Fig.", "s", "t", "n't", "'s", "'ll", "'re", "'ve", "'d",
    "'m", "N'T", "cannot", "gonna", "'tis", "'twas", "wanna", "d'ye", "<s>", "</s>", "<unk>",
    "<pad>", "<s", "pad>", "&amp;", "&lt;", "&#124;", "@-@", "Parkinson", "patients", "IL", "TNF",
    "x", "Y", "the", "The", "ok", "OK", "a.b", "A.B.", "aspirin", "mg/kg",
]

DETOK_PIECES = [
    "a", "The", "patients", "s", "cats", "1", "3.5", ",", ".", "?", "!", ":", ";", "%", ")", "]", "}",
    "\\", "(", "[", "{", "$", "€", "¿", "¡", "$(", "'", "\"", "``", "`", "''", "„", "“", "”", "„“",
    "'s", "'ll", "'S", "'", "n't", "@-@", "&apos;", "&apos;s", "&quot;", "&amp;", "&lt;", "&gt;",
    "&#124;", "&#91;", "&#93;", "&bar;", "&bra;", "&ket;", "&amp;lt;", "细", "胞", "细胞", "x细",
    "가", "ア", "-", "--", "...", "a-b", "5", "%5", "),",
]


def corpus_sentences(fixtures, data):
    """(source, sentence) pairs from the fixture corpus and the four corpora."""
    out = [("corpus.txt", line.strip()) for line in open(os.path.join(fixtures, "corpus.txt"), encoding="utf-8") if line.strip()]
    for path in sorted(glob.glob(os.path.join(data, "cdr", "*.PubTator.txt"))):
        for line in open(path, encoding="utf-8"):
            parts = line.rstrip("\n").split("|", 2)
            if len(parts) == 3 and parts[1] in ("t", "a"):
                out += [("cdr", s) for s in split_sentences(parts[2])]
    for path in sorted(glob.glob(os.path.join(data, "chemprot", "*", "*abstracts*.tsv"))):
        for row in csv.reader(open(path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE):
            out += [("chemprot", s) for field in row[1:] for s in split_sentences(field)]
    for path in sorted(glob.glob(os.path.join(data, "ddi", "DDICorpus", "*", "*", "*.xml"))):
        text = open(path, encoding="utf-8").read()
        out += [("ddi", unescape_xml(s)) for s in re.findall(r'<sentence [^>]*text="([^"]*)"', text)]
    for path in sorted(glob.glob(os.path.join(data, "dce", "*.jsonl"))):
        for line in open(path, encoding="utf-8"):
            out.append(("dce", json.loads(line)["sentence"]))
    return out


def split_sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s.strip()]


def unescape_xml(text):
    for entity, char in [("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]:
        text = text.replace(entity, char)
    return text


def moses_chunks(text, moses):
    """Moses tokens of each non-empty text chunk between special tokens (BioGptTokenizer's split)."""
    pattern = re.compile("(" + "|".join(re.escape(t) for t in SPECIALS) + ")")
    return [
        moses.tokenize(chunk, aggressive_dash_splits=True, return_str=False, escape=True)
        for chunk in pattern.split(text)
        if chunk and chunk not in SPECIALS
    ]


def one_item_per_line(golden):
    """The JSON object with each list item on its own line, so that a change shows as a small diff."""
    dump = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    fields = []
    for key, value in golden.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n".join("  " + dump(item) for item in value)
            fields.append(f"{dump(key)}:[\n{items}\n]")
        else:
            fields.append(f"{dump(key)}:{dump(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sentences", type=int, default=90)
    parser.add_argument("--random", type=int, default=200)
    parser.add_argument("--decodes", type=int, default=60)
    parser.add_argument("--detokenize", type=int, default=150)
    args = parser.parse_args()

    folder = os.path.join(args.fixtures, "tokenizers", "biogpt-bpe")
    tok = BioGptTokenizer(vocab_file=os.path.join(folder, "vocab.json"), merges_file=os.path.join(folder, "merges.txt"))
    moses = MosesTokenizer(lang="en")
    detok = MosesDetokenizer(lang="en")
    rng = random.Random(20240607)

    reference = json.load(open(os.path.join(folder, "reference.json"), encoding="utf-8"))
    prefixes = list(moses.NONBREAKING_PREFIXES)
    digest = hashlib.sha256("\n".join(prefixes).encode("utf-8")).hexdigest()
    assert digest == reference["english_nonbreaking_prefixes"]["sha256_of_newline_joined"], digest

    sentences = corpus_sentences(args.fixtures, args.data)
    picked = rng.sample(sentences, min(args.sentences, len(sentences)))
    randoms = []
    for _ in range(args.random):
        pieces = [rng.choice(PIECES) for _ in range(rng.randint(1, 10))]
        randoms.append("".join(p + rng.choice(["", "", " "]) for p in pieces))
    texts = [("probe", t) for t in PROBES] + picked + [("random", t) for t in randoms]

    cases = []
    for source, text in texts:
        ids = tok(text)["input_ids"]
        assert tok(text, add_special_tokens=False)["input_ids"] == ids[1:]
        cases.append({
            "source": source,
            "text": text,
            "moses_tokens": moses_chunks(text, moses),
            "ids": ids,
            "decoded_skip_special": tok.decode(ids, skip_special_tokens=True),
            "decoded_keep_special": tok.decode(ids, skip_special_tokens=False),
        })

    decodes = []
    for _ in range(args.decodes):
        ids = [rng.randrange(len(tok.encoder) + 4) for _ in range(rng.randint(0, 12))]
        decodes.append({
            "ids": ids,
            "decoded_skip_special": tok.decode(ids, skip_special_tokens=True),
            "decoded_keep_special": tok.decode(ids, skip_special_tokens=False),
        })

    detokenized = []
    for _ in range(args.detokenize):
        tokens = [rng.choice(DETOK_PIECES) for _ in range(rng.randint(1, 8))]
        detokenized.append({"tokens": tokens, "text": detok.detokenize(tokens)})

    whitespace = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and re.match(r"\s", chr(cp))]
    golden = {
        "made_by": f"tools/biogpt_tokenizer_golden.py: transformers {version('transformers')} BioGptTokenizer, "
                   f"sacremoses {version('sacremoses')}",
        "tokenizer_files": "vocab.json and merges.txt, copied from the shared fixtures' tokenizers/biogpt-bpe",
        "english_nonbreaking_prefixes": prefixes,
        "python_whitespace": whitespace,
        "cases": cases,
        "decode_cases": decodes,
        "detokenize_cases": detokenized,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(one_item_per_line(golden))
    print(f"{len(cases)} cases, {len(decodes)} decodes, {len(detokenized)} detokenisations "
          f"({os.path.getsize(args.out)} bytes) from {len(sentences)} sentences", file=sys.stderr)


if __name__ == "__main__":
    main()
