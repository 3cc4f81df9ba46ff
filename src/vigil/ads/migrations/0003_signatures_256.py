"""Signatures grew from 64 to 256 MinHash positions (``clusters.PERMUTATIONS``): the ads stored before are signed
again from their latest capture. The first 64 positions, and so the band index, stay the same; run
``vigil ads recluster`` afterwards to let the sharper verification split clusters that chains had joined."""

from django.db import migrations


def sign_again(apps, schema_editor):
    from vigil.ads import clusters

    size, last = clusters.PERMUTATIONS * 4, 0
    with schema_editor.connection.cursor() as cur:
        while True:  # 5,000 ads at a time, in id order: memory does not grow with the corpus
            cur.execute("SELECT a.id, v.title, v.body FROM ads_ad a JOIN ads_adversion v "
                        "ON v.ad_id = a.id AND v.collected_at = a.last_collected "
                        "WHERE a.id > %s AND a.signature IS NOT NULL AND length(a.signature) <> %s "
                        "ORDER BY a.id LIMIT 5000", [last, size])
            rows = cur.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            sigs = [clusters.signature(f"{title}\n{body}"[:20_000]) for _pk, title, body in rows]
            cur.execute("UPDATE ads_ad a SET signature = v.s FROM unnest(%s::bigint[], %s::bytea[]) AS v(id, s) "
                        "WHERE a.id = v.id", [[r[0] for r in rows], [None if s is None else s.tobytes() for s in sigs]])


class Migration(migrations.Migration):

    dependencies = [
        ('ads', '0002_ad_full_text'),
    ]

    operations = [
        migrations.RunPython(sign_again, migrations.RunPython.noop),
    ]
