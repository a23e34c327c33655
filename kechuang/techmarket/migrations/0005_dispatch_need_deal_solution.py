# A need can be dispatched without an achievement (issue 13: "offer dispatch to a broker instead of
# padding the list"): Dispatch gets its need (filled from the match in 0006, required in 0007), its
# match becomes optional, and a deal without an achievement records the solution and its provider.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('techmarket', '0004_numeric_bounds'),
    ]

    operations = [
        migrations.AddField(
            model_name='dispatch',
            name='need',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='dispatches', to='techmarket.need', verbose_name='需求'),
        ),
        migrations.AlterField(
            model_name='dispatch',
            name='match',
            field=models.OneToOneField(blank=True, help_text='空：成果库中没有适合的成果，由技术经理人另寻解决方案', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='dispatch', to='techmarket.match', verbose_name='推荐成果'),
        ),
        migrations.AlterField(
            model_name='deal',
            name='achievement',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deals', to='techmarket.achievement', verbose_name='成果'),
        ),
        migrations.AddField(
            model_name='deal',
            name='solution',
            field=models.CharField(blank=True, help_text='成果库之外找到的方案：技术内容与来源（不超过 500 字）', max_length=500, verbose_name='解决方案及来源'),
        ),
        migrations.AddField(
            model_name='deal',
            name='provider',
            field=models.CharField(blank=True, help_text='方案的提供单位或个人，技术合同的卖方', max_length=200, verbose_name='技术提供方'),
        ),
    ]
