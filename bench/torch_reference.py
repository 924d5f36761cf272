#!/usr/bin/env python3
"""The PyTorch + transformers side of `expc bench`.

Reads one workload spec (JSON, written by `expc bench` into its work folder): the folder with
the `config.json` both sides build their network from, the batch shape, beams, repetitions and
threads. Does the same work as expc with the same shapes and settings (random weights, random
token ids drawn from a seeded generator: the values differ from expc's, the shapes do not) and
prints one JSON line in expc's `Measurement` form (one line per product for `products`). CPU by
default; `--device cuda` when a GPU is there (not used for the table in docs/performance.md).

    python3 bench/torch_reference.py target/expc-bench/train_t5_small.spec.json
"""

import argparse
import json
import resource
import statistics
import sys
import time

import torch
import transformers


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def model_class(family):
    return {
        "t5": (transformers.T5Config, transformers.T5ForConditionalGeneration),
        "bart": (transformers.BartConfig, transformers.BartForConditionalGeneration),
        "gpt2": (transformers.GPT2Config, transformers.GPT2LMHeadModel),
    }[family]


def build(spec, device):
    with open(f"{spec['folder']}/config.json") as f:
        fields = json.load(f)
    config_class, model_cls = model_class(spec["shape"]["family"])
    config = config_class(**fields)
    torch.manual_seed(0)
    model = model_cls(config).to(device)
    return model, config


def rows(generator, batch, width, vocab, device):
    # Ids 3.. avoid the special tokens, as expc's draw does.
    return torch.randint(3, vocab, (batch, width), generator=generator).to(device)


def timed(repeats, work, device):
    work()  # warm-up
    samples = []
    for _ in range(max(repeats, 1)):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        work()
        if device.type == "cuda":
            torch.cuda.synchronize()
        samples.append(time.perf_counter() - start)
    return statistics.median_low(samples)


def train(spec, device):
    shape = spec["shape"]
    model, config = build(spec, device)
    model.train()
    vocab = config.vocab_size
    generator = torch.Generator().manual_seed(1)
    batch, source, target = shape["batch"], shape["source_tokens"], shape["target_tokens"]
    if config.is_encoder_decoder:
        inputs = rows(generator, batch, source, vocab, device)
        labels = rows(generator, batch, target, vocab, device)
        start = config.decoder_start_token_id
        decoder_inputs = torch.cat(
            [torch.full((batch, 1), start, dtype=labels.dtype, device=device), labels[:, :-1]],
            dim=1,
        )
        arguments = dict(
            input_ids=inputs,
            attention_mask=torch.ones_like(inputs),
            decoder_input_ids=decoder_inputs,
            labels=labels,
        )
    else:
        inputs = rows(generator, batch, source + target, vocab, device)
        arguments = dict(input_ids=inputs, attention_mask=torch.ones_like(inputs), labels=inputs)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0
    )

    def step():
        loss = model(**arguments).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    seconds = timed(spec["repeats"], step, device)
    tokens = batch * (source + target)
    return dict(
        value=tokens / seconds,
        metric="tokens/s",
        seconds=seconds,
        detail=f"batch {batch} × {source} + {target} tokens, fwd+bwd+AdamW, "
        f"{seconds:.3f} s/step",
    )


def generate(spec, device):
    shape = spec["shape"]
    model, config = build(spec, device)
    model.eval()
    generator = torch.Generator().manual_seed(1)
    batch, source, new = shape["batch"], shape["source_tokens"], shape["target_tokens"]
    prompts = rows(generator, batch, source, config.vocab_size, device)
    beams = spec["beams"]
    produced = []

    @torch.inference_mode()
    def run():
        out = model.generate(
            input_ids=prompts,
            attention_mask=torch.ones_like(prompts),
            max_new_tokens=new,
            min_new_tokens=new,  # as expc's run without an end token: every row makes `new`
            num_beams=beams,
            do_sample=False,
            early_stopping=False,
            use_cache=True,
            pad_token_id=config.pad_token_id if config.pad_token_id is not None else 0,
        )
        produced.append(out.shape)

    seconds = timed(spec["repeats"], run, device)
    return dict(
        value=batch * new / seconds,
        metric="tokens/s",
        seconds=seconds,
        detail=f"batch {batch} × {source} prompt tokens, {new} new tokens, {beams} beam(s), "
        f"KV cache; output shape {tuple(produced[-1])}",
    )


def products(spec, device):
    repeats = spec["repeats"]
    results = []
    for product in spec["products"]:
        m, k, n = product["m"], product["k"], product["n"]
        lhs = torch.rand(k, m, device=device).t() if product["transpose_lhs"] else \
            torch.rand(m, k, device=device)
        rhs = torch.rand(n, k, device=device).t() if product["transpose_rhs"] else \
            torch.rand(k, n, device=device)
        seconds = timed(repeats, lambda: torch.matmul(lhs, rhs), device)
        results.append(dict(
            workload=product["name"],
            value=2.0 * m * k * n / seconds / 1e9,
            metric="GFLOP/s",
            seconds=seconds,
            detail=f"{product['role']}: torch.matmul, median of {repeats}",
        ))
    return results


def load(spec, device):
    family = spec["shape"]["family"]
    _, model_cls = model_class(family)
    start = time.perf_counter()
    model = model_cls.from_pretrained(spec["folder"], torch_dtype=torch.float32).to(device)
    seconds = time.perf_counter() - start
    parameters = sum(p.numel() for p in model.parameters())
    return dict(
        value=seconds,
        metric="s",
        seconds=seconds,
        detail=f"{parameters / 1e6:.0f} M parameters, from_pretrained (safetensors)",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="the workload spec JSON written by `expc bench`")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    torch.set_num_threads(spec["threads"])
    transformers.logging.set_verbosity_error()
    device = torch.device(args.device)
    kind = {"train": train, "products": products, "generate": generate, "load": load}
    results = kind[spec["kind"]](spec, device)
    for result in results if isinstance(results, list) else [results]:
        result.setdefault("workload", spec["workload"])
        result["peak_rss_mib"] = peak_rss_mib()
        result["detail"] += f"; torch {torch.__version__}, transformers " \
            f"{transformers.__version__}, {spec['threads']} threads, {args.device}"
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
