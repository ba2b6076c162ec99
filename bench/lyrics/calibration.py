#!/usr/bin/python3
"""Calibration table of word confidence: words.jsonl files (from align-corpus.ts) -> markdown.
   bench/lyrics/calibration.py OUT/words.jsonl [...]"""
import json,sys
rows=[]
for f in sys.argv[1:]:
    rows+=[json.loads(l) for l in open(f)]
bins=[(0,0.2),(0.2,0.4),(0.4,0.6),(0.6,0.8),(0.8,1.01)]
print('| confidence | words | within 300 ms | within 100 ms | mean error (ms) |')
print('|---|---|---|---|---|')
for a,b in bins:
    r=[x for x in rows if a<=x['conf']<b]
    if not r: print('| %.1f–%.1f | 0 | – | – | – |'%(a,min(b,1))); continue
    w3=sum(x['err_ms']<=300 for x in r)/len(r); w1=sum(x['err_ms']<=100 for x in r)/len(r)
    print('| %.1f–%.1f | %d | %.1f %% | %.1f %% | %.0f |'%(a,min(b,1),len(r),100*w3,100*w1,sum(x['err_ms'] for x in r)/len(r)))
bad=[x for x in rows if x['err_ms']>300]
print('words off >300 ms: %d, of them conf<0.4: %d; words conf<0.4: %d'%(len(bad),sum(x['conf']<0.4 for x in bad),sum(x['conf']<0.4 for x in rows)))
