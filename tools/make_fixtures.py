#!/usr/bin/env python3
"""Builds expc's tiny model fixtures (tests/models/*) and their transformers reference numbers.

Run by hand, not by CI (it needs torch and transformers, and sacremoses for BioGPT):

    python tools/make_fixtures.py --out tests/models

Each folder is a tiny, randomly initialised Hugging Face checkpoint (config.json,
model.safetensors, generation_config.json, tokenizer.json, tokenizer_config.json) plus a
reference.json that `expc model verify` recomputes: token ids, logits and hidden states (float64
data), the loss, greedy and beam-4 generations, and one AdamW step. The tokenizers are trained
here on the small CORPUS below. An existing tokenizer.json in the output folder is reused
(the Unigram trainer does not order its pieces reproducibly); pass --retrain-tokenizers to
train them afresh. BioGPT folders carry vocab.json + merges.txt (Moses + fastBPE-style BPE,
learned here) instead of tokenizer.json, as microsoft/biogpt does.
"""

import argparse
import collections
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy
import safetensors
import tokenizers
import torch
import transformers
from safetensors.torch import load_file, save_file
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers
from tokenizers import processors, trainers
from transformers import (
    AutoTokenizer,
    BartConfig,
    BartForConditionalGeneration,
    BioGptConfig,
    BioGptForCausalLM,
    BioGptTokenizer,
    GenerationConfig,
    GPT2Config,
    GPT2LMHeadModel,
    GPTNeoConfig,
    GPTNeoForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

# Tokenizer training text: plain English and biomedical abstracts-style sentences.
CORPUS = """
Ibuprofen is a nonsteroidal anti-inflammatory drug used to treat pain, fever and inflammation.
Postoperative pain was measured on a visual analogue scale at 30, 60 and 120 minutes.
Most adults reported that the pain was relieved within one hour of the first dose.
In a cohort of children with asthma, inhaled corticosteroids reduced exacerbations.
Budesonide is an inhaled corticosteroid; it lowers airway inflammation in asthma.
The children were followed for one year, and exacerbations were recorded by their parents.
Serum alpha-fetoprotein (α-fetoprotein) is a marker of liver cancer and of some germ cell tumours.
Concentrations are reported in µg/L; the normal range is below 10 µg/L.
Samples were stored at 4 °C and analysed within 24 hours of collection.
After treatment, the marker rose in 12 of 40 patients and fell in the others.
The randomised controlled trial enrolled 212 participants at five hospitals.
Patients received 400 mg twice daily or a matching placebo for twelve weeks.
The primary outcome was the change in blood pressure from baseline to week 12.
Adverse events were mild and occurred at similar rates in both groups.
Bacterial isolates were tested for resistance to ampicillin, ceftriaxone and ciprofloxacin.
The gene encoding the β-lactamase was detected by polymerase chain reaction.
Mice lacking the receptor developed insulin resistance and gained weight on a high-fat diet.
Cells were cultured in medium with 10% fetal bovine serum at 37 °C and 5% CO2.
Protein levels were measured by western blot and normalised to actin.
The hazard ratio for death was 0.78 (95% confidence interval 0.65 to 0.94).
We conclude that the treatment is safe and that larger trials are warranted.
The weather was cold and the river was high after the rain.
She walked to the station, bought a newspaper and waited for the train.
Reading every day improves vocabulary, attention and memory.
The committee will meet again next month to review the results.
Children learn languages faster than adults, but adults learn more deliberately.
Clinical guidelines recommend vaccination against influenza every autumn.
Vitamin D deficiency is common in older adults who spend little time outdoors.
Metformin remains the first-line treatment for type 2 diabetes.
Statins lower cholesterol and reduce the risk of heart attack and stroke.
Antibiotics do not work against viral infections such as the common cold.
The study was approved by the ethics committee, and all participants gave written consent.
Data were analysed with a mixed-effects model adjusting for age, sex and baseline severity.
Summaries should state the main finding in a short sentence.
""".strip().splitlines()

# Inputs of reference.json. The emoji is unknown to the Unigram tokenizer and several bytes in BPE.
SOURCES = [
    "Ibuprofen 400 mg relieved postoperative pain within 30 minutes in most adults.",
    "In a cohort of 212 children with asthma, inhaled budesonide reduced exacerbations by 38% over one year.",
    "Serum α-fetoprotein rose to 45 µg/L (normal < 10) after treatment at 4 °C 🦠.",
]
TARGETS = [
    "Ibuprofen relieved pain.",
    "Budesonide reduced asthma exacerbations.",
    "α-fetoprotein rose after treatment.",
]
PROMPTS = [  # decoder-only models: unfinished sentences
    "Ibuprofen 400 mg relieved postoperative pain within",
    "In a cohort of 212 children with asthma, inhaled budesonide reduced",
    "Serum α-fetoprotein rose to 45 µg/L after treatment at 4 °C 🦠 and",
]

LEARNING_RATE = 1e-3
MAX_NEW_TOKENS = 20
T5_SENTINELS = 20
SEQ2SEQ = ("t5", "bart")


# --------------------------------------------------------------------------- tokenizers


def train_unigram(vocab_size):
    """T5 style: Unigram, <pad>=0 </s>=1 <unk>=2, sentinels <extra_id_N> last in reverse order."""
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        ]
    )
    specials = ["<pad>", "</s>", "<unk>"]
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=specials, unk_token="<unk>", show_progress=False
    )
    tok.train_from_iterator(CORPUS, trainer)
    # Rebuild the model with a stable order: specials, pieces by score, then the sentinels.
    vocab = json.loads(tok.to_str())["model"]["vocab"]
    assert [p for p, _ in vocab[:3]] == specials, vocab[:3]
    pieces = sorted(((p, round(s, 2)) for p, s in vocab[3:]), key=lambda ps: (-ps[1], ps[0]))
    sentinels = [f"<extra_id_{i}>" for i in reversed(range(T5_SENTINELS))]
    full = [(p, 0.0) for p in specials] + pieces + [(s, 0.0) for s in sentinels]
    tok.model = models.Unigram(full, unk_id=2, byte_fallback=False)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials + sentinels])
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    return tok


def train_byte_bpe(vocab_size, leading_specials, trailing_special):
    """Byte-level BPE; `trailing_special` gets the last id (like GPT-2's 50256, BART's <mask>)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - 1,
        special_tokens=leading_specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer)
    assert tok.get_vocab_size() == vocab_size - 1, tok.get_vocab_size()
    tok.add_special_tokens([trailing_special])
    return tok


def bart_tokenizer():
    mask = AddedToken("<mask>", lstrip=True, special=True, normalized=False)
    tok = train_byte_bpe(500, ["<s>", "<pad>", "</s>", "<unk>"], mask)
    tok.post_processor = processors.RobertaProcessing(
        ("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False
    )
    return tok


def gpt2_tokenizer():
    eot = AddedToken("<|endoftext|>", special=True, normalized=False)
    tok = train_byte_bpe(512, [], eot)
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def llama_tokenizer(vocab_size=400, limit_alphabet=39):
    """Llama(-2) layout with byte fallback: <unk>=0, <s>=1, </s>=2, <0x00>..<0xFF>, then merged
    pieces in merge order, then single characters (most frequent first); "▁" marks word starts,
    digits are split one by one, `<s> $A` is the post-processor. The `tokenizers` BPE trainer
    stands in for SentencePiece; characters outside the `limit_alphabet` most frequent become
    byte tokens. The limit sits between two character counts: a cut inside a tie would choose
    among the tied characters differently from run to run."""
    n_bytes, specials = 256, ["<unk>", "<s>", "</s>"]
    trainer_tok = Tokenizer(models.BPE())
    trainer_tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        pre_tokenizers.Digits(individual_digits=True),
    ])
    trainer = trainers.BpeTrainer(vocab_size=vocab_size - len(specials) - n_bytes,
                                  min_frequency=2, limit_alphabet=limit_alphabet,
                                  show_progress=False)
    trainer_tok.train_from_iterator(CORPUS, trainer)
    trained = json.loads(trainer_tok.to_str())["model"]
    merges = [tuple(m) for m in trained["merges"]]
    char_freq = collections.Counter(ch for line in CORPUS for ch in "▁" + line.replace(" ", "▁"))
    vocab = {t: i for i, t in enumerate(specials)}
    for b in range(n_bytes):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    singles = sorted((t for t in trained["vocab"] if len(t) == 1), key=lambda t: (-char_freq[t], t))
    for t in singles:
        vocab.setdefault(t, len(vocab))
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", byte_fallback=True,
                               fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"),
                                           normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(),
                                     decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s>:1 $B:1", special_tokens=[("<s>", 1)])
    assert [tok.token_to_id(t) for t in specials] == [0, 1, 2]
    return tok


BIOGPT_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # fairseq: bos 0, pad 1, eos 2, unk 3


def moses_tokenize(text):
    """What BioGptTokenizer.moses_tokenize does (sacremoses, English)."""
    import sacremoses

    moses = sacremoses.MosesTokenizer(lang="en")
    return moses.tokenize(text, aggressive_dash_splits=True, return_str=False, escape=True)


def biogpt_files(n_merges=300, pad_multiple=8):
    """BioGPT's vocab.json and merges.txt: the corpus Moses-tokenised as BioGptTokenizer does,
    fastBPE-style merges (most frequent adjacent pair, ties to the smallest; "</w>" ends a word),
    and a fairseq-style dictionary of the BPE'd corpus (specials, pieces by count; a word-final
    piece is written `ab</w>`), completed with every merge result and corpus character so that
    only characters outside the corpus become <unk>, and padded to a multiple of 8. Returns the
    two files' texts."""
    words = collections.Counter(t for line in CORPUS for t in moses_tokenize(line))
    state = {tuple(w[:-1]) + (w[-1] + "</w>",): c for w, c in words.items()}
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, c in state.items():
            for pair in zip(w, w[1:]):
                pairs[pair] += c
        if not pairs:
            break
        (a, b), count = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merges.append((a, b, count))
        merged = collections.Counter()
        for w, c in state.items():
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] += c
        state = merged
    counts = collections.Counter()
    for w, c in state.items():
        for piece in w:
            counts[piece] += c

    def spelling(piece):  # fairseq's: word-internal pieces end in "@@"
        return piece[:-len("</w>")] if piece.endswith("</w>") else piece + "@@"

    vocab = {t: i for i, t in enumerate(BIOGPT_SPECIALS)}
    for piece in sorted(counts, key=lambda p: (-counts[p], spelling(p))):
        vocab[piece] = len(vocab)
    alphabet = sorted({ch for w in words for ch in w})
    extra = {a + b for a, b, _ in merges} | {p for ch in alphabet for p in (ch, ch + "</w>")}
    for piece in sorted((p for p in extra if p not in vocab), key=spelling):
        vocab[piece] = len(vocab)
    i = 0
    while len(vocab) % pad_multiple:
        vocab[f"madeupword{i:04d}</w>"] = len(vocab)
        i += 1
    merges_text = "".join(f"{a} {b} {c}\n" for a, b, c in merges)
    return json.dumps(vocab, ensure_ascii=False, indent=2), merges_text


def save_biogpt_tokenizer(files, folder):
    """vocab.json, merges.txt and tokenizer_config.json, as microsoft/biogpt ships them."""
    vocab_text, merges_text = files
    (folder / "vocab.json").write_text(vocab_text, encoding="utf-8")
    (folder / "merges.txt").write_text(merges_text, encoding="utf-8")
    config = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "sep_token": "</s>",
              "unk_token": "<unk>", "tokenizer_class": "BioGptTokenizer"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def save_tokenizer(tok, folder, special_tokens):
    """tokenizer.json + tokenizer_config.json, via transformers, loadable by 4.x and 5.x."""
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, **special_tokens)
    fast.save_pretrained(folder)
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- models


def t5_spec(name, seed, n_tokens, tied, **config):
    vocab = -(-n_tokens // 128) * 128  # padded like 32100 -> 32128
    # transformers 5.x's T5Config always says tie_word_embeddings=True and keeps the given
    # value only as scale_decoder_outputs, so the intent is kept here as `tied`.
    return dict(
        name=name, family="t5", seed=seed, cls=T5ForConditionalGeneration, tied=tied,
        config=T5Config(vocab_size=vocab, pad_token_id=0, eos_token_id=1,
                        decoder_start_token_id=0, layer_norm_epsilon=1e-6, dropout_rate=0.1,
                        tie_word_embeddings=tied, **config),
        generation=dict(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0),
        specials=dict(eos_token="</s>", unk_token="<unk>", pad_token="<pad>"),
        pad=0, decoder_start=0, prefix="summarize: ",
    )


def model_specs(unigram_size, biogpt_vocab_size):
    return [
        t5_spec("t5-tiny", 100, unigram_size, d_model=64, d_kv=8, num_heads=4, d_ff=96,
                num_layers=2, num_decoder_layers=2, relative_attention_num_buckets=16,
                relative_attention_max_distance=20, feed_forward_proj="relu", tied=True),
        t5_spec("t5v11-tiny", 111, unigram_size, d_model=48, d_kv=12, num_heads=4, d_ff=80,
                num_layers=3, num_decoder_layers=2, relative_attention_num_buckets=24,
                relative_attention_max_distance=48, feed_forward_proj="gated-gelu",
                tied=False),
        dict(
            name="bart-tiny", family="bart", seed=102, cls=BartForConditionalGeneration,
            config=BartConfig(
                vocab_size=500, d_model=48, encoder_layers=2, decoder_layers=3,
                encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=96,
                decoder_ffn_dim=80, max_position_embeddings=96, activation_function="gelu",
                scale_embedding=True, init_std=0.1, dropout=0.1, pad_token_id=1,
                bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
                forced_eos_token_id=2, tie_word_embeddings=True),
            generation=dict(bos_token_id=0, eos_token_id=2, pad_token_id=1,
                            decoder_start_token_id=2, forced_eos_token_id=2),
            specials=dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                          pad_token="<pad>", mask_token="<mask>"),
            pad=1, decoder_start=2, prefix="",
        ),
        dict(
            name="gpt2-tiny", family="gpt2", seed=103, cls=GPT2LMHeadModel,
            config=GPT2Config(
                vocab_size=512, n_embd=48, n_layer=3, n_head=3, n_positions=96, n_inner=128,
                activation_function="gelu_new", layer_norm_epsilon=1e-5,
                initializer_range=0.1, bos_token_id=511, eos_token_id=511,
                tie_word_embeddings=True),
            generation=dict(bos_token_id=511, eos_token_id=511),
            specials=dict(bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                          unk_token="<|endoftext|>"),
            pad=511, decoder_start=None, prefix="",
        ),
        dict(
            # Three layers local, global, local (shared fixture: global, local), window 3.
            name="gptneo-tiny", family="gpt_neo", seed=104, cls=GPTNeoForCausalLM,
            config=GPTNeoConfig(
                vocab_size=512, hidden_size=48, num_layers=3, num_heads=3,
                attention_types=[[["local", "global"], 1], [["local"], 1]], window_size=3,
                intermediate_size=96, max_position_embeddings=96,
                activation_function="gelu_new", layer_norm_epsilon=1e-5,
                resid_dropout=0.0, embed_dropout=0.0, attention_dropout=0.0,
                initializer_range=0.1, bos_token_id=511, eos_token_id=511),
            generation=dict(bos_token_id=511, eos_token_id=511),
            specials=dict(bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                          unk_token="<|endoftext|>"),
            pad=511, decoder_start=None, prefix="",
        ),
        dict(
            # 6 query heads over 2 key/value heads of width 12 (6 · 12 = 72 ≠ hidden 48), q/k/v/o
            # biases, rope_theta 500 with linear scaling 2 in transformers 5's rope_parameters.
            name="llama-tiny", family="llama", seed=105, cls=LlamaForCausalLM,
            config=LlamaConfig(
                vocab_size=400, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                num_attention_heads=6, num_key_value_heads=2, head_dim=12, hidden_act="silu",
                max_position_embeddings=96, initializer_range=0.1, rms_norm_eps=1e-6,
                rope_parameters={"rope_type": "linear", "factor": 2.0, "rope_theta": 500.0},
                attention_bias=True, mlp_bias=False, tie_word_embeddings=False,
                pad_token_id=None, bos_token_id=1, eos_token_id=2),
            generation=dict(bos_token_id=1, eos_token_id=2, pad_token_id=0),
            specials=dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>"),
            pad=0, decoder_start=None, prefix="",
        ),
        dict(
            # scale_embedding false (shared fixture: true); 3 layers of 3 heads.
            name="biogpt-tiny", family="biogpt", seed=106, cls=BioGptForCausalLM,
            config=BioGptConfig(
                vocab_size=biogpt_vocab_size, hidden_size=48, num_hidden_layers=3,
                num_attention_heads=3, intermediate_size=96, hidden_act="gelu",
                max_position_embeddings=96, initializer_range=0.1, layer_norm_eps=1e-12,
                scale_embedding=False, hidden_dropout_prob=0.1,
                attention_probs_dropout_prob=0.1, activation_dropout=0.0, layerdrop=0.0,
                pad_token_id=1, bos_token_id=0, eos_token_id=2),
            generation=dict(bos_token_id=0, eos_token_id=2, pad_token_id=1),
            specials=None,
            pad=1, decoder_start=None, prefix="",
        ),
    ]


# Tied copies transformers may write; expc (and the classic Hub files) keep only the source.
TIED_DUPLICATES = {
    "t5": ["encoder.embed_tokens.weight", "decoder.embed_tokens.weight"],
    "bart": ["model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight",
             "lm_head.weight"],
    "gpt2": ["lm_head.weight"],
    "gpt_neo": ["lm_head.weight"],
    "llama": [],
    "biogpt": ["output_projection.weight"],
}


def build_checkpoint(spec, folder):
    """Random init from the seed, then noise on every 1-d parameter; saves and reloads."""
    torch.manual_seed(spec["seed"])
    model = spec["cls"](spec["config"]).eval()
    if spec["family"] == "t5" and not spec["tied"]:
        # transformers 5.x builds every T5 with lm_head tied to shared (config.json's
        # tie_word_embeddings=false only turns off the output scaling, and a checkpoint whose
        # lm_head differs from shared loads untied). v1.1 gets its own N(0, 1) head, like
        # transformers' init of an untied head.
        shape = model.shared.weight.shape
        model.lm_head.weight = torch.nn.Parameter(torch.randn(shape))
        model.all_tied_weights_keys.pop("lm_head.weight", None)
    noise = torch.Generator().manual_seed(spec["seed"] + 1000)
    with torch.no_grad():
        for _, p in model.named_parameters():  # norm weights (1 + noise) and biases (noise)
            if p.ndim == 1:
                p.add_(0.1 * torch.randn(p.shape, generator=noise))
        if spec["family"] == "bart":  # a buffer, not a parameter
            model.final_logits_bias.copy_(0.1 * torch.randn(model.final_logits_bias.shape,
                                                            generator=noise))
    model.generation_config = GenerationConfig(**spec["generation"])
    model.save_pretrained(folder)

    drop = list(TIED_DUPLICATES[spec["family"]])
    if spec["family"] == "t5" and spec["tied"]:
        drop.append("lm_head.weight")
    path = folder / "model.safetensors"
    tensors = load_file(path)
    for name in drop:
        tensors.pop(name, None)
    save_file(tensors, path, metadata={"format": "pt"})

    config_path = folder / "config.json"
    config = json.loads(config_path.read_text())
    if spec["family"] == "t5":  # as in Hub configs; transformers derives the output scaling
        config["tie_word_embeddings"] = spec["tied"]
        config.pop("scale_decoder_outputs", None)
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")

    reloaded = load_model(spec, folder, torch.float32)
    if spec["family"] == "t5":
        tied = spec["tied"]
        assert reloaded.config.scale_decoder_outputs == tied
        shares = reloaded.lm_head.weight.data_ptr() == reloaded.shared.weight.data_ptr()
        assert shares == tied, f"{spec['name']}: lm_head tied {shares}"
    want = model.state_dict()
    for name, tensor in reloaded.state_dict().items():
        assert torch.equal(tensor, want[name]), f"{spec['name']}: {name} changed on reload"
    return sorted(tensors)


def load_model(spec, folder, dtype):
    model = spec["cls"].from_pretrained(folder, attn_implementation="eager")
    return model.to(dtype).eval()


def use_float64_t5_layer_norm():
    """transformers' T5LayerNorm takes the variance in float32 even for float64 inputs; make the
    float64 reference pure float64 (float32 runs still call the stock code)."""
    from transformers.models.t5 import modeling_t5

    stock = modeling_t5.T5LayerNorm.forward

    def forward(self, hidden_states):
        if hidden_states.dtype != torch.float64:
            return stock(self, hidden_states)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        return self.weight * (hidden_states * torch.rsqrt(variance + self.variance_epsilon))

    modeling_t5.T5LayerNorm.forward = forward


def use_float64_gpt_neo_and_llama():
    """transformers computes parts of GPT-Neo and Llama in float32 even in a float64 model: GPT-Neo's
    q·kᵀ, Llama's RMSNorm, its RoPE angles and its eager attention softmax (which also turns the
    float64 mask minimum into -inf, so a fully masked left-padding row becomes NaN and spreads
    through 0 · NaN). For float64 inputs, do the same arithmetic in float64 (float32 runs still
    call the stock code)."""
    from transformers.models.gpt_neo import modeling_gpt_neo
    from transformers.models.llama import modeling_llama

    stock_attn = modeling_gpt_neo.GPTNeoSelfAttention._attn
    stock_norm = modeling_llama.LlamaRMSNorm.forward
    stock_rope = modeling_llama.LlamaRotaryEmbedding.forward
    stock_eager = modeling_llama.eager_attention_forward

    def attn(self, query, key, value, attention_mask=None):
        if query.dtype != torch.float64:
            return stock_attn(self, query, key, value, attention_mask)
        weights = torch.matmul(query, key.transpose(-1, -2))  # no 1/sqrt(d), no float32 cast
        query_length, key_length = query.size(-2), key.size(-2)
        causal = self.bias[:, :, key_length - query_length: key_length, :key_length]
        weights = torch.where(causal, weights, torch.tensor(torch.finfo(weights.dtype).min,
                                                            dtype=weights.dtype))
        if attention_mask is not None:
            weights = weights + attention_mask
        weights = torch.nn.functional.softmax(weights, dim=-1).to(value.dtype)
        return torch.matmul(self.attn_dropout(weights), value), weights

    def norm(self, hidden_states):
        if hidden_states.dtype != torch.float64:
            return stock_norm(self, hidden_states)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        return self.weight * (hidden_states * torch.rsqrt(variance + self.variance_epsilon))

    def rope(self, x, position_ids):
        if x.dtype != torch.float64:
            return stock_rope(self, x, position_ids)
        parameters = self.config.rope_parameters
        assert parameters["rope_type"] in ("default", "linear") and self.attention_scaling == 1.0
        dim = self.config.head_dim or self.config.hidden_size // self.config.num_attention_heads
        exponents = torch.arange(0, dim, 2, dtype=torch.float64) / dim
        inv_freq = 1.0 / (parameters["rope_theta"] ** exponents)
        if parameters["rope_type"] == "linear":
            inv_freq = inv_freq / parameters["factor"]
        freqs = position_ids[..., None].to(torch.float64) * inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)

    def eager(module, query, key, value, attention_mask, scaling, dropout=0.0, **kwargs):
        if query.dtype != torch.float64:
            return stock_eager(module, query, key, value, attention_mask, scaling, dropout, **kwargs)
        key = modeling_llama.repeat_kv(key, module.num_key_value_groups)
        value = modeling_llama.repeat_kv(value, module.num_key_value_groups)
        weights = torch.matmul(query, key.transpose(2, 3)) * scaling
        if attention_mask is not None:
            weights = weights + attention_mask
        weights = torch.nn.functional.softmax(weights, dim=-1)
        return torch.matmul(weights, value).transpose(1, 2).contiguous(), weights

    modeling_gpt_neo.GPTNeoSelfAttention._attn = attn
    modeling_llama.eager_attention_forward = eager
    modeling_llama.LlamaRMSNorm.forward = norm
    modeling_llama.LlamaRotaryEmbedding.forward = rope


# --------------------------------------------------------------------------- reference.json


def sig12(values):
    """Nested lists of floats rounded to 12 significant digits."""
    if isinstance(values, list):
        return [sig12(v) for v in values]
    return float(f"{values:.12g}")


def finite_or_none(values):
    if isinstance(values, list):
        return [finite_or_none(v) for v in values]
    return values if math.isfinite(values) else None


def tensor_summary(t, valid, with_data):
    t64 = t.double()
    out = {
        "shape": list(t.shape),
        "sum": t64.sum().item(),
        "sum_abs": t64.abs().sum().item(),
        "sum_valid": (t64 * valid[..., None]).sum().item(),
        "first8": t64[0, 0, :8].tolist(),
    }
    if with_data:
        out["data"] = sig12(t64.tolist())
    return out


def token_losses(logits, labels, shift):
    """Mean token cross-entropy over labels != -100, and per example; GPT-2 shifts by one."""
    if shift:
        logits, labels = logits[:, :-1], labels[:, 1:]
    valid = labels != -100
    logp = torch.log_softmax(logits, dim=-1)
    nll = -logp.gather(-1, labels.clamp(min=0)[..., None])[..., 0] * valid
    return nll.sum() / valid.sum(), nll.sum(1) / valid.sum(1)


def right_pad(rows, pad):
    width = max(len(r) for r in rows)
    ids = [r + [pad] * (width - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
    return ids, mask


def left_pad(rows, pad):
    width = max(len(r) for r in rows)
    ids = [[pad] * (width - len(r)) + r for r in rows]
    mask = [[0] * (width - len(r)) + [1] * len(r) for r in rows]
    return ids, mask


def make_inputs(spec, folder):
    hf = AutoTokenizer.from_pretrained(folder)
    seq2seq = spec["family"] in SEQ2SEQ
    sources = [spec["prefix"] + s for s in SOURCES] if seq2seq else list(PROMPTS)
    texts = {"source": sources}
    if seq2seq:
        texts["target"] = list(TARGETS)
    encoded, tokens = {}, {}
    if spec["family"] == "biogpt":  # the slow BioGptTokenizer; there is no tokenizer.json
        assert type(hf).__name__ == "BioGptTokenizer", type(hf)
        for key, group in texts.items():
            encoded[key] = [hf(t)["input_ids"] for t in group]
            tokens[key] = [hf.convert_ids_to_tokens(row) for row in encoded[key]]
    else:
        raw = Tokenizer.from_file(str(folder / "tokenizer.json"))
        for key, group in texts.items():
            rows = [raw.encode(t).ids for t in group]
            for text, row in zip(group, rows):  # transformers' tokenizer agrees with the raw file
                assert hf(text)["input_ids"] == row, (spec["name"], text)
            encoded[key] = rows
            tokens[key] = [raw.encode(t).tokens for t in group]
    ids, mask = right_pad(encoded["source"], spec["pad"])
    inputs = {"input_ids": ids, "attention_mask": mask}
    if seq2seq:
        padded, _ = right_pad(encoded["target"], -100)
        decoder = [[spec["decoder_start"]] + [spec["pad"] if t == -100 else t for t in row[:-1]]
                   for row in padded]
        inputs.update(labels=padded, labels_unpadded=encoded["target"],
                      decoder_input_ids=decoder,
                      decoder_valid_mask=[[int(t != -100) for t in row] for row in padded])
    else:
        inputs["labels"] = [[t if m else -100 for t, m in zip(r, mr)] for r, mr in zip(ids, mask)]
    return texts, tokens, inputs, hf


def forward_block(spec, folder, inputs, dtype):
    model = load_model(spec, folder, dtype)
    seq2seq = spec["family"] in SEQ2SEQ
    t = {k: torch.tensor(v) for k, v in inputs.items() if k != "labels_unpadded"}
    mask = t["attention_mask"]
    with torch.no_grad():
        if seq2seq:
            out = model(input_ids=t["input_ids"], attention_mask=mask,
                        decoder_input_ids=t["decoder_input_ids"])
            hf_loss = model(input_ids=t["input_ids"], attention_mask=mask,
                            decoder_input_ids=t["decoder_input_ids"], labels=t["labels"]).loss
            hidden_name, hidden = "encoder_last_hidden_state", out.encoder_last_hidden_state
            logits_valid = t["decoder_valid_mask"]
        else:
            out = model(input_ids=t["input_ids"], attention_mask=mask)
            hf_loss = model(input_ids=t["input_ids"], attention_mask=mask, labels=t["labels"]).loss
            hidden_name = "last_hidden_state"  # after the final norm
            hidden = model.base_model(input_ids=t["input_ids"],
                                      attention_mask=mask).last_hidden_state
            logits_valid = mask
        loss, per_example = token_losses(out.logits, t["labels"], shift=not seq2seq)
    full = dtype == torch.float64
    block = {
        "logits": tensor_summary(out.logits, logits_valid, full),
        hidden_name: tensor_summary(hidden, mask, full),
        "loss": loss.item(),
        "loss_per_example": per_example.tolist(),
        "hf_loss": hf_loss.item(),
    }
    block["logits"]["argmax"] = out.logits.argmax(-1).tolist()
    block["logits"]["logsumexp"] = sig12(torch.logsumexp(out.logits.double(), -1).tolist())
    raw = {"logits": out.logits.double(), "hidden": hidden.double(), "loss": loss.item(),
           "logits_valid": logits_valid.bool(), "mask": mask.bool()}
    return block, raw


def generate_runs(spec, folder, inputs, hf_tokenizer, dtype):
    model = load_model(spec, folder, dtype)
    seq2seq = spec["family"] in SEQ2SEQ
    prompts = [[t for t, m in zip(r, mr) if m] for r, mr in zip(inputs["input_ids"],
                                                               inputs["attention_mask"])]
    if seq2seq:
        batched_ids, batched_mask = inputs["input_ids"], inputs["attention_mask"]
    else:
        batched_ids, batched_mask = left_pad(prompts, spec["pad"])

    def run(ids, mask, kwargs):
        ids_t, mask_t = torch.tensor(ids), torch.tensor(mask)
        with torch.no_grad():
            out = model.generate(input_ids=ids_t, attention_mask=mask_t, output_scores=True,
                                 return_dict_in_generate=True, **kwargs)
        sequences = out.sequences
        new = sequences if seq2seq else sequences[:, ids_t.shape[1]:]
        result = {
            "sequences": sequences.tolist(),
            "new_tokens": new.tolist(),
            "text": hf_tokenizer.batch_decode(new, skip_special_tokens=True),
            "text_with_special": hf_tokenizer.batch_decode(new, skip_special_tokens=False),
        }
        if kwargs["num_beams"] == 1:
            scores = torch.stack(out.scores, 1).double()  # [B, steps, V], processed
            top2 = scores.topk(2, dim=-1).values
            margins = (top2[..., 0] - top2[..., 1])
            chosen = new[:, -scores.shape[1]:]
            logp = torch.log_softmax(scores, -1).gather(-1, chosen[..., None])[..., 0]
            finite = margins[torch.isfinite(margins)]
            # Infinite margins (a forced EOS step) and log-probs become null: JSON has no inf.
            result.update(step_top1_minus_top2_logit=finite_or_none(margins.tolist()),
                          step_chosen_logprob=finite_or_none(logp.tolist()),
                          min_margin=finite.min().item() if finite.numel() else None)
        else:
            result["sequences_scores"] = out.sequences_scores.tolist()
        return result

    block = {}
    for kind, beams in (("greedy", 1), ("beam4", 4)):
        kwargs = dict(max_new_tokens=MAX_NEW_TOKENS, do_sample=False, num_beams=beams,
                      length_penalty=1.0, early_stopping=False, num_return_sequences=1,
                      no_repeat_ngram_size=0, repetition_penalty=1.0)
        if not seq2seq:
            kwargs["pad_token_id"] = spec["pad"]
        batched = run(batched_ids, batched_mask, kwargs)
        batched["padding_side"] = "right" if seq2seq else "left"
        if not seq2seq:
            batched.update(input_ids=batched_ids, attention_mask=batched_mask)
        block[kind] = {
            "kwargs": kwargs,
            "single": [run([p], [[1] * len(p)], kwargs) for p in prompts],
            "batched": batched,
        }
    return block


def training_step(spec, folder, inputs, dtype):
    """loss -> backward -> one torch AdamW step -> loss again; dropout off (model.eval())."""
    model = load_model(spec, folder, dtype)
    seq2seq = spec["family"] in SEQ2SEQ
    t = {k: torch.tensor(v) for k, v in inputs.items() if k != "labels_unpadded"}
    named = list(model.named_parameters())  # tied parameters appear once

    def loss_now():
        kwargs = dict(input_ids=t["input_ids"], attention_mask=t["attention_mask"])
        if seq2seq:
            kwargs["decoder_input_ids"] = t["decoder_input_ids"]
        return token_losses(model(**kwargs).logits, t["labels"], shift=not seq2seq)[0]

    loss = loss_now()
    loss.backward()
    norms = {n: p.grad.double().norm().item() for n, p in named}
    probes = [named[0][0], named[len(named) // 2][0], named[-1][0]]
    before = {n: p.detach().flatten()[:6].tolist() for n, p in named if n in probes}
    grads = {n: p.grad.flatten()[:6].tolist() for n, p in named if n in probes}
    optimizer = torch.optim.AdamW([p for _, p in named], lr=LEARNING_RATE, betas=(0.9, 0.999),
                                  eps=1e-8, weight_decay=0.0)
    optimizer.step()
    with torch.no_grad():
        loss_after = loss_now()
    after = {n: p.detach().flatten()[:6].tolist() for n, p in named if n in probes}
    return {
        "loss_before": loss.item(),
        "grad_l2_norm": math.sqrt(sum(v * v for v in norms.values())),
        "loss_after": loss_after.item(),
        "num_parameter_tensors": len(named),
        "num_parameters": sum(p.numel() for _, p in named),
        "per_parameter_grad_l2_norm": norms,
        "probe_param_first6_before": before,
        "probe_grad_first6": grads,
        "probe_param_first6_after": after,
    }


def versions():
    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "safetensors": safetensors.__version__,
        "numpy": numpy.__version__,
    }


FAMILY_NOTES = {
    "gpt_neo": ["GPTNeoSelfAttention._attn runs in pure float64 for the float64 block (stock "
                "transformers casts query and key to float32)."],
    "llama": ["LlamaRMSNorm and the RoPE angles run in pure float64 for the float64 block (stock "
              "transformers uses float32)."],
    "biogpt": ["Every LayerNorm uses eps 1e-5 (transformers ignores config.json's layer_norm_eps)."],
}


def build(spec, folder, tokenizer):
    folder.mkdir(parents=True, exist_ok=True)
    if spec["family"] == "biogpt":
        save_biogpt_tokenizer(tokenizer, folder)
    else:
        save_tokenizer(tokenizer, folder, spec["specials"])
    stored = build_checkpoint(spec, folder)
    texts, tokens, inputs, hf_tokenizer = make_inputs(spec, folder)

    f64, raw64 = forward_block(spec, folder, inputs, torch.float64)
    f32, raw32 = forward_block(spec, folder, inputs, torch.float32)
    valid, mask = raw64["logits_valid"], raw64["mask"]
    gen64 = generate_runs(spec, folder, inputs, hf_tokenizer, torch.float64)
    gen32 = generate_runs(spec, folder, inputs, hf_tokenizer, torch.float32)

    def all_tokens(block):
        return [[r["new_tokens"] for r in b["single"]] + [b["batched"]["new_tokens"]]
                for b in block.values()]

    agree = all_tokens(gen64) == all_tokens(gen32)
    train64 = training_step(spec, folder, inputs, torch.float64)
    train32 = training_step(spec, folder, inputs, torch.float32)

    reference = {
        "family": spec["family"],
        "model_class": spec["cls"].__name__,
        "texts": texts,
        "tokens": tokens,
        "inputs": inputs,
        "padding_token_id": spec["pad"],
        "padding_side_forward": "right",
        "float64": f64,
        "float32": f32,
        "float32_vs_float64": {
            "logits_max_abs_diff_valid": (raw64["logits"] - raw32["logits"])[valid].abs().max().item(),
            "hidden_max_abs_diff_valid": (raw64["hidden"] - raw32["hidden"])[mask].abs().max().item(),
            "loss_abs_diff": abs(raw64["loss"] - raw32["loss"]),
        },
        "generation": {
            "generation_config_json": json.loads((folder / "generation_config.json").read_text()),
            "float64": gen64,
            "float32": gen32,
            "float32_vs_float64_agreement": agree,
        },
        "training_step": {
            "optimizer": {"name": "torch.optim.AdamW", "lr": LEARNING_RATE, "betas": [0.9, 0.999],
                          "eps": 1e-8, "weight_decay": 0.0},
            "dropout": "disabled (model.eval())",
            "batch": "inputs: input_ids, attention_mask, decoder_input_ids (seq2seq), labels",
            "float64": train64,
            "float32": train32,
        },
        "notes": [
            "Compare against the float64 block; logits and hidden states at valid positions "
            "(decoder_valid_mask for seq2seq, attention_mask for GPT-2).",
            "loss: mean token cross-entropy over labels != -100; GPT-2 predicts token t+1 at t.",
            "T5LayerNorm runs in pure float64 for the float64 block (stock transformers uses float32 "
            "for the variance).",
            "generate() processes next-token scores in float32, so step margins, log-probs and "
            "sequences_scores are float32 numbers even in the float64 block.",
            "seq2seq new_tokens include the decoder start token; GPT-2 new_tokens exclude the prompt.",
        ] + FAMILY_NOTES.get(spec["family"], []),
        "config_used_to_build": spec["config"].to_dict(),
        "init": {
            "seed": spec["seed"],
            "method": "transformers default init under torch.manual_seed(seed); then every 1-d "
                      "parameter (norm weights, biases) += N(0, 0.1^2) from generator seed+1000"
                      + ("; final_logits_bias = N(0, 0.1^2)" if spec["family"] == "bart" else ""),
            "stored_tensors": len(stored),
        },
        "versions": versions(),
        "files_sha256": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.name != "reference.json"
        },
    }
    (folder / "reference.json").write_text(json.dumps(reference, ensure_ascii=False, allow_nan=False) + "\n")
    margins = [r["min_margin"] for r in gen64["greedy"]["single"]]
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"{spec['name']}: {train64['num_parameters']} parameters, loss {f64['loss']:.10f}, "
          f"grad norm {train64['grad_l2_norm']:.10f}, loss after {train64['loss_after']:.10f}, "
          f"f32-vs-f64 logits {reference['float32_vs_float64']['logits_max_abs_diff_valid']:.2e}, "
          f"generations agree {agree}, min greedy margin {min(margins):.3g}, "
          f"{size / 1e6:.2f} MB")
    assert size <= 2_000_000, f"{folder} is {size} bytes"
    assert agree, f"{spec['name']}: float32 and float64 generations differ; pick another seed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="e.g. tests/models")
    parser.add_argument("--retrain-tokenizers", action="store_true")
    parser.add_argument("--models", nargs="*", help="only these folders")
    args = parser.parse_args()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    use_float64_t5_layer_norm()
    use_float64_gpt_neo_and_llama()
    print("versions:", json.dumps(versions()))

    def tokenizer(folder, train):
        path = args.out / folder / "tokenizer.json"
        if path.is_file() and not args.retrain_tokenizers:
            return Tokenizer.from_file(str(path))
        return train()

    def biogpt_tokenizer_files():
        folder = args.out / "biogpt-tiny"
        paths = [folder / "vocab.json", folder / "merges.txt"]
        if all(p.is_file() for p in paths) and not args.retrain_tokenizers:
            return tuple(p.read_text(encoding="utf-8") for p in paths)
        return biogpt_files()

    unigram = tokenizer("t5-tiny", lambda: train_unigram(300))
    gpt2 = tokenizer("gpt2-tiny", gpt2_tokenizer)
    biogpt = biogpt_tokenizer_files()
    trained = {"t5": unigram, "bart": tokenizer("bart-tiny", bart_tokenizer), "gpt2": gpt2,
               "gpt_neo": gpt2, "llama": tokenizer("llama-tiny", llama_tokenizer),
               "biogpt": biogpt}
    for spec in model_specs(unigram.get_vocab_size(), len(json.loads(biogpt[0]))):
        if args.models and spec["name"] not in args.models:
            continue
        build(spec, args.out / spec["name"], trained[spec["family"]])


if __name__ == "__main__":
    main()
