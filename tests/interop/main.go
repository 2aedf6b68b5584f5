// Command interop checks qtrail's transparency log with other people's code only: Go's
// golang.org/x/mod/sumdb/note and sumdb/tlog, and transparency-dev's formats and merkle. It reads
// one JSON document on stdin (keys, checkpoint notes, proofs, tiles; base64 for bytes) and prints
// a JSON verdict with one entry per check: {"ok": true, ...} or {"ok": false, "error": "..."}.
// tests/interop/test_go_verifies.py builds and runs it.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	LeafHash  string   `json:"leaf_hash"`
	Hashes    []string `json:"hashes"`
}

type consistency struct {
	Hashes []string `json:"hashes"`
}

type input struct {
	Origin        string            `json:"origin"`
	LogVKey       string            `json:"log_vkey"`
	WitnessVKey   string            `json:"witness_vkey"`
	Checkpoint    string            `json:"checkpoint"`
	OldCheckpoint string            `json:"old_checkpoint"`
	Inclusion     *inclusion        `json:"inclusion"`
	Consistency   *consistency      `json:"consistency"`
	Tiles         map[string]string `json:"tiles"`
	Sign          *signing          `json:"sign"`
}

// signing asks the Go side to sign a note text with qtrail's signer keys, for qtrail to open.
type signing struct {
	Text        string `json:"text"`
	LogSKey     string `json:"log_skey"`
	WitnessSKey string `json:"witness_skey"`
}

type verdict map[string]any

func fail(err error) verdict { return verdict{"ok": false, "error": err.Error()} }

func decodeAll(in []string) ([][]byte, error) {
	out := make([][]byte, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// tiles serves the C2SP paths (tile/<L>/<N>, tile/entries/<N>) to x/mod's tlog, whose paths
// carry the tile height (tile/8/<L>/<N>, tile/8/data/<N>).
type tiles map[string][]byte

func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if strings.HasPrefix(p, "data/") {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

func (ts tiles) Height() int { return 8 }

func (ts tiles) ReadTiles(want []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(want))
	for i, t := range want {
		data, ok := ts[c2spPath(t)]
		if !ok {
			return nil, fmt.Errorf("tile %s is missing", c2spPath(t))
		}
		out[i] = data
	}
	return out, nil
}

func (ts tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "bad input:", err)
		os.Exit(2)
	}
	out := verdict{}
	defer func() {
		_ = json.NewEncoder(os.Stdout).Encode(out)
	}()

	if s := in.Sign; s != nil {
		out["signed"] = func() verdict {
			logS, err := note.NewSigner(s.LogSKey)
			if err != nil {
				return fail(err)
			}
			witnessS, err := fnote.NewSignerForCosignatureV1(s.WitnessSKey)
			if err != nil {
				return fail(err)
			}
			msg, err := note.Sign(&note.Note{Text: s.Text}, logS, witnessS)
			if err != nil {
				return fail(err)
			}
			return verdict{"ok": true, "note": string(msg)}
		}()
		return
	}

	logV, err := note.NewVerifier(in.LogVKey)
	if err != nil {
		out["log_vkey"] = fail(err)
		return
	}
	var witnessV note.Verifier
	if in.WitnessVKey != "" {
		if witnessV, err = fnote.NewVerifierForCosignatureV1(in.WitnessVKey); err != nil {
			out["witness_vkey"] = fail(err)
			return
		}
	}

	// The note, with x/mod's verifier and nothing else.
	if n, err := note.Open([]byte(in.Checkpoint), note.VerifierList(logV)); err != nil {
		out["note"] = fail(err)
	} else {
		out["note"] = verdict{"ok": true, "verified": len(n.Sigs), "unverified": len(n.UnverifiedSigs)}
	}

	// The checkpoint body, with transparency-dev/formats.
	parse := func(text string) (*log.Checkpoint, verdict) {
		cp, ext, _, err := log.ParseCheckpoint([]byte(text), in.Origin, logV)
		if err != nil {
			return nil, fail(err)
		}
		return cp, verdict{
			"ok": true, "origin": cp.Origin, "size": cp.Size,
			"root": base64.StdEncoding.EncodeToString(cp.Hash), "extensions": string(ext),
		}
	}
	cp, v := parse(in.Checkpoint)
	out["checkpoint"] = v
	var old *log.Checkpoint
	if in.OldCheckpoint != "" {
		old, v = parse(in.OldCheckpoint)
		out["old_checkpoint"] = v
	}

	// The witness's cosignature, with formats' cosignature/v1 verifier alone.
	if witnessV != nil {
		if n, err := note.Open([]byte(in.Checkpoint), note.VerifierList(witnessV)); err != nil {
			out["cosignature"] = fail(err)
		} else if t, err := fnote.CoSigV1Timestamp(n.Sigs[0]); err != nil {
			out["cosignature"] = fail(err)
		} else {
			out["cosignature"] = verdict{"ok": true, "name": n.Sigs[0].Name, "time": t.Unix()}
		}
	}

	byTreeSize := func(size uint64) (*log.Checkpoint, error) {
		for _, c := range []*log.Checkpoint{cp, old} {
			if c != nil && c.Size == size {
				return c, nil
			}
		}
		return nil, fmt.Errorf("no verified checkpoint of size %d", size)
	}

	// An inclusion proof answer, with transparency-dev/merkle.
	if p := in.Inclusion; p != nil {
		out["inclusion"] = func() verdict {
			at, err := byTreeSize(p.TreeSize)
			if err != nil {
				return fail(err)
			}
			leaf, err := base64.StdEncoding.DecodeString(p.LeafHash)
			if err != nil {
				return fail(err)
			}
			hashes, err := decodeAll(p.Hashes)
			if err != nil {
				return fail(err)
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, p.TreeSize, leaf, hashes, at.Hash); err != nil {
				return fail(err)
			}
			return verdict{"ok": true}
		}()
	}

	// A consistency proof from the old checkpoint to the new one, with transparency-dev/merkle.
	if p := in.Consistency; p != nil {
		out["consistency"] = func() verdict {
			if cp == nil || old == nil {
				return fail(errors.New("both checkpoints must verify first"))
			}
			hashes, err := decodeAll(p.Hashes)
			if err != nil {
				return fail(err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old.Size, cp.Size, hashes, old.Hash, cp.Hash); err != nil {
				return fail(err)
			}
			return verdict{"ok": true}
		}()
	}

	// The tiles of the new checkpoint's tree, with x/mod's sumdb/tlog: it authenticates every
	// tile it reads against the signed root, then proves every leaf and the consistency.
	if len(in.Tiles) > 0 {
		out["tiles"] = func() verdict {
			if cp == nil {
				return fail(errors.New("the checkpoint must verify first"))
			}
			ts := tiles{}
			for path, b64 := range in.Tiles {
				data, err := base64.StdEncoding.DecodeString(b64)
				if err != nil {
					return fail(err)
				}
				rest := strings.TrimPrefix(path, "tile/")
				if strings.HasPrefix(rest, "entries/") {
					rest = "data/" + strings.TrimPrefix(rest, "entries/")
				}
				t, err := tlog.ParseTilePath("tile/8/" + rest)
				if err != nil {
					return fail(err)
				}
				if c2spPath(t) != path {
					return fail(fmt.Errorf("path %s does not round-trip", path))
				}
				if t.L >= 0 && len(data) != t.W*tlog.HashSize {
					return fail(fmt.Errorf("%s holds %d bytes for %d hashes", path, len(data), t.W))
				}
				ts[path] = data
			}
			n := int64(cp.Size)
			var root tlog.Hash
			copy(root[:], cp.Hash)
			tree := tlog.Tree{N: n, Hash: root}
			hr := tlog.TileHashReader(tree, ts)
			th, err := tlog.TreeHash(n, hr)
			if err != nil {
				return fail(err)
			}
			if th != root {
				return fail(errors.New("the tiles hash to another root"))
			}
			leafHashes := make([]tlog.Hash, n)
			for i := int64(0); i < n; i++ {
				got, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
				if err != nil {
					return fail(err)
				}
				leafHashes[i] = got[0]
				rp, err := tlog.ProveRecord(n, i, hr)
				if err != nil {
					return fail(err)
				}
				if err := tlog.CheckRecord(rp, n, root, i, got[0]); err != nil {
					return fail(err)
				}
			}
			res := verdict{"ok": true, "leaves": n}
			if p := in.Inclusion; p != nil && p.TreeSize == cp.Size {
				rp, err := tlog.ProveRecord(n, int64(p.LeafIndex), hr)
				if err != nil {
					return fail(err)
				}
				res["inclusion_matches"] = sameHashes(rp, p.Hashes)
			}
			if old != nil && old.Size > 0 {
				var oldRoot tlog.Hash
				copy(oldRoot[:], old.Hash)
				// A client holding only the old checkpoint reads the partial tiles of its size.
				oldTree := tlog.Tree{N: int64(old.Size), Hash: oldRoot}
				oh, err := tlog.TreeHash(oldTree.N, tlog.TileHashReader(oldTree, ts))
				if err != nil {
					return fail(err)
				}
				res["old_root_matches"] = oh == oldRoot
				tp, err := tlog.ProveTree(n, int64(old.Size), hr)
				if err != nil {
					return fail(err)
				}
				if err := tlog.CheckTree(tp, n, root, int64(old.Size), oldRoot); err != nil {
					return fail(err)
				}
				if p := in.Consistency; p != nil {
					res["consistency_matches"] = sameHashes(tp, p.Hashes)
				}
			}
			// Entry bundles: uint16-length-prefixed leaves, each hashing to its level-0 hash.
			entries := int64(0)
			for path, data := range ts {
				if !strings.HasPrefix(path, "tile/entries/") {
					continue
				}
				t, _ := tlog.ParseTilePath("tile/8/data/" + strings.TrimPrefix(path, "tile/entries/"))
				r := bytes.NewReader(data)
				j := 0
				for ; r.Len() > 0; j++ {
					var size uint16
					if err := binary.Read(r, binary.BigEndian, &size); err != nil {
						return fail(fmt.Errorf("%s: %v", path, err))
					}
					entry := make([]byte, size)
					if _, err := io.ReadFull(r, entry); err != nil {
						return fail(fmt.Errorf("%s: entry %d cut short", path, j))
					}
					i := t.N*256 + int64(j)
					if j >= t.W || i >= n || tlog.RecordHash(entry) != leafHashes[i] {
						return fail(fmt.Errorf("%s: entry %d does not hash to leaf %d", path, j, i))
					}
					entries++
				}
				if j != t.W {
					return fail(fmt.Errorf("%s holds %d entries", path, j))
				}
			}
			res["entries"] = entries
			return res
		}()
	}
}

func sameHashes[T ~[]tlog.Hash](got T, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i, h := range got {
		if base64.StdEncoding.EncodeToString(h[:]) != want[i] {
			return false
		}
	}
	return true
}
