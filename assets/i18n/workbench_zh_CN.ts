<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About %1</source>
        <translation>关于 %1</translation>
    </message>
    <message>
        <source>Train, inspect and compare convolutional networks.</source>
        <translation>训练、检查和比较卷积神经网络。</translation>
    </message>
    <message>
        <source>&amp;Copy versions</source>
        <translation>复制版本信息(&amp;C)</translation>
    </message>
    <message>
        <source>Copy these versions to the clipboard, for a bug report</source>
        <translation>将这些版本信息复制到剪贴板，用于提交错误报告</translation>
    </message>
</context>
<context>
    <name>AnswerCard</name>
    <message>
        <source>Your runs</source>
        <translation>你的运行</translation>
    </message>
    <message>
        <source>Run this study…</source>
        <translation>运行此研究…</translation>
    </message>
    <message>
        <source>Open in Compare</source>
        <translation>在“对比”中打开</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>已发表</translation>
    </message>
    <message>
        <source>Run this study again…</source>
        <translation>再次运行此研究…</translation>
    </message>
    <message>
        <source>No runs yet. “Run this study…” queues the runs that answer it on this machine; the card fills in when they have finished.</source>
        <translation>尚无运行。“运行此研究…”会在本机排队回答此问题所需的运行；运行完成后卡片会自动填写。</translation>
    </message>
    <message>
        <source>Study %1: %2 finished of %3 run(s).</source>
        <translation>研究 %1：%3 个运行中已完成 %2 个。</translation>
    </message>
    <message>
        <source>points</source>
        <translation>个百分点</translation>
    </message>
    <message>
        <source>No verdict yet: %1</source>
        <translation>尚无结论：%1</translation>
    </message>
</context>
<context>
    <name>Answers</name>
    <message>
        <source>nn.CrossEntropyLoss input</source>
        <translation>nn.CrossEntropyLoss 的输入</translation>
    </message>
    <message>
        <source>unnormalised logits (it applies LogSoftmax, then NLLLoss)</source>
        <translation>未归一化的 logits（它先做 LogSoftmax，再做 NLLLoss）</translation>
    </message>
    <message>
        <source>residual learning × batch norm (Fig. 2, BSD68, σ = 25)</source>
        <translation>残差学习 × 批归一化（图 2，BSD68，σ = 25）</translation>
    </message>
    <message>
        <source>residual + BN converges fastest and highest, with SGD and with Adam</source>
        <translation>残差 + BN 收敛最快、最高，SGD 与 Adam 皆然</translation>
    </message>
    <message>
        <source>full (J1 + J2 + J3)</source>
        <translation>完整（J1 + J2 + J3）</translation>
    </message>
    <message>
        <source>without J1</source>
        <translation>去掉 J1</translation>
    </message>
    <message>
        <source>without J2</source>
        <translation>去掉 J2</translation>
    </message>
    <message>
        <source>without J3</source>
        <translation>去掉 J3</translation>
    </message>
    <message>
        <source>J1 only</source>
        <translation>仅 J1</translation>
    </message>
    <message>
        <source>HybridSN (3-D → 2-D), Indian Pines, 10 % training</source>
        <translation>HybridSN（3-D → 2-D），Indian Pines，10 % 训练</translation>
    </message>
    <message>
        <source>2-D CNN alone, Indian Pines</source>
        <translation>仅 2-D CNN，Indian Pines</translation>
    </message>
    <message>
        <source>3-D CNN alone, Indian Pines</source>
        <translation>仅 3-D CNN，Indian Pines</translation>
    </message>
    <message>
        <source>HybridSN (3-D → 2-D), Indian Pines, 30 % training</source>
        <translation>HybridSN（3-D → 2-D），Indian Pines，30 % 训练</translation>
    </message>
    <message>
        <source>%1 % top-1 error</source>
        <translation>top-1 错误率 %1 %</translation>
    </message>
    <message>
        <source>ResNet-50 → SE-ResNet-50</source>
        <translation>ResNet-50 → SE-ResNet-50</translation>
    </message>
    <message>
        <source>squeeze: average pooling</source>
        <translation>压缩：平均池化</translation>
    </message>
    <message>
        <source>squeeze: max pooling</source>
        <translation>压缩：最大池化</translation>
    </message>
    <message>
        <source>scSE branches merged</source>
        <translation>scSE 两个分支的合并方式</translation>
    </message>
    <message>
        <source>by addition in the paper, by element-wise max in the authors&apos; code</source>
        <translation>论文中为相加，作者代码中为逐元素取最大值</translation>
    </message>
    <message>
        <source>Does the output layer need an activation?</source>
        <translation>输出层需要激活函数吗？</translation>
    </message>
    <message>
        <source>No. nn.CrossEntropyLoss takes raw logits and applies log-softmax itself. A softmax before it squashes the logits into [0, 1]: the loss then sees scores that differ by at most 1, so it cannot fall below about 1.46 with 10 classes, and the gradients are squashed with them (multiplied by the softmax&apos;s Jacobian, small where a class is already confident): training slows and stalls. A log-softmax before it changes nothing but the cost, since log-softmax of a log-softmax is the same log-softmax. For probabilities, apply softmax at prediction time, outside the loss.</source>
        <translation>不需要。nn.CrossEntropyLoss 接收原始 logits，自己会做 log-softmax。在它之前加 softmax 会把 logits 压缩到 [0, 1]：损失看到的分数之差至多为 1，因此 10 类时损失无法低于约 1.46，梯度也随之被压缩（乘以 softmax 的雅可比矩阵，某类已经很确定时它很小）：训练变慢并停滞。在它之前加 log-softmax 除了计算开销外不改变任何东西，因为对 log-softmax 再做 log-softmax 结果不变。需要概率时，在预测时于损失之外再做 softmax。</translation>
    </message>
    <message>
        <source>No paper measures this: it follows from the loss&apos;s definition.</source>
        <translation>没有论文测量这一点：它直接由损失函数的定义得出。</translation>
    </message>
    <message>
        <source>Why does DnCNN predict the residual?</source>
        <translation>DnCNN 为什么预测残差？</translation>
    </message>
    <message>
        <source>DnCNN outputs the noise v and returns the clean estimate y − v. The clean image x is most of the noisy input y, so predicting x means learning a near-identity mapping through 17 layers; the residual y − x is small, zero-mean and without image structure, a target close to zero that is easier to learn (the argument of ResNet). Batch normalisation keeps each layer&apos;s input distribution steady and, the authors find, works together with residual learning: the noise target is roughly Gaussian, as batch norm&apos;s standardised activations are. Their ablation: residual + BN trains fastest and best.</source>
        <translation>DnCNN 输出噪声 v，并返回干净图像的估计 y − v。干净图像 x 占了含噪输入 y 的绝大部分，所以直接预测 x 意味着要用 17 层学习一个近似恒等的映射；而残差 y − x 很小、均值为零且没有图像结构，是一个接近零、更容易学习的目标（即 ResNet 的论点）。批归一化使每层输入的分布保持稳定，作者发现它与残差学习相辅相成：噪声目标近似高斯分布，正如批归一化后标准化的激活。他们的消融实验：残差 + BN 训练最快、效果最好。</translation>
    </message>
    <message>
        <source>The paper trains DnCNN-S (17 layers, 64 features) on 400 images; the study&apos;s small DnCNN on a few patches compares the four variants&apos; shape, not these values.</source>
        <translation>论文在 400 张图像上训练 DnCNN-S（17 层，64 个特征）；本研究用小型 DnCNN 在少量图像块上比较四种变体的趋势，而不是这些数值。</translation>
    </message>
    <message>
        <source>DSCMR: does J2 matter?</source>
        <translation>DSCMR：J2 重要吗？</translation>
    </message>
    <message>
        <source>J1 separates the classes in label space through a linear classifier shared by both modalities; J2 asks the same of the common space directly, pulling same-class image–text, image–image and text–text pairs together by cosine similarity; J3 pulls each image towards its own text. Because J1&apos;s shared classifier already forces class-separated common features, and J2 is weighted by λ = 1e-3 in the authors&apos; code, J2 adds little: removing it costs a thousandth of mAP where removing J1 costs a tenth or more. It is there as a regulariser of the common space&apos;s geometry.</source>
        <translation>J1 通过两种模态共享的线性分类器在标签空间中区分类别；J2 直接在公共空间中提出同样的要求，按余弦相似度拉近同类的图像–文本、图像–图像和文本–文本对；J3 把每个图像拉向它自己的文本。由于 J1 的共享分类器已经迫使公共特征按类别分开，而且作者代码中 J2 的权重为 λ = 1e-3，J2 的贡献很小：去掉它只损失千分之一的 mAP，而去掉 J1 损失十分之一甚至更多。它的作用是对公共空间几何结构的正则化。</translation>
    </message>
    <message>
        <source>The paper&apos;s ablation uses VGG-19 and sentence-CNN features; the study runs on the offline two-view benchmark, so compare how much each removal costs, not the values.</source>
        <translation>论文的消融实验使用 VGG-19 和句子 CNN 特征；本研究在离线的双视图基准上运行，因此请比较去掉每一项的代价，而不是数值本身。</translation>
    </message>
    <message>
        <source>HybridSN: 3-D then 2-D, or 2-D then 3-D?</source>
        <translation>HybridSN：先 3-D 后 2-D，还是先 2-D 后 3-D？</translation>
    </message>
    <message>
        <source>HybridSN&apos;s 3-D convolutions slide along the spectral axis as well as in space (kernels 7, 5 and 3 bands deep), learning spectral–spatial features from the PCA cube; one 2-D convolution then mixes those feature maps in space, far cheaper than more 3-D layers. Reversed, the first 2-D convolution folds all the bands into 64 maps at once, and the 3-D convolutions after it slide over those maps as if they were ordered bands, which they are not: the spectral structure the 3-D kernels exist for is gone before they see it.</source>
        <translation>HybridSN 的 3-D 卷积既在空间上也沿光谱轴滑动（卷积核深 7、5、3 个波段），从 PCA 立方体中学习光谱–空间特征；随后一个 2-D 卷积在空间上混合这些特征图，比再加 3-D 层便宜得多。反过来时，第一个 2-D 卷积一下子把所有波段折叠成 64 张特征图，之后的 3-D 卷积把这些特征图当作有序的波段来滑动，而它们并非有序：3-D 卷积核所针对的光谱结构在它们看到之前就已经消失了。</translation>
    </message>
    <message>
        <source>The paper has no 2-D → 3-D control; its 2-D-only and 3-D-only CNN baselines show what each kind of layer gives alone.</source>
        <translation>论文没有 2-D → 3-D 的对照；其仅 2-D 与仅 3-D 的 CNN 基线展示了每种层单独的效果。</translation>
    </message>
    <message>
        <source>Squeeze-and-excitation: along channels, space or both?</source>
        <translation>挤压–激励：沿通道、沿空间还是两者兼顾？</translation>
    </message>
    <message>
        <source>Channel SE squeezes each channel to one number by global pooling and excites through a small bottleneck and a sigmoid: it reweights which features matter, the same at every position. Spatial SE (sSE) squeezes the channels with a 1×1 convolution into one map and reweights where to look, the same for every channel. scSE does both side by side. Average pooling lets every position speak for its channel; max pooling keeps only the strongest response, which SENet found slightly worse. For classifying a whole image, channel SE is the natural fit; spatial gating pays off where every position needs its own answer, as in segmentation, for which Roy et al. designed it.</source>
        <translation>通道 SE 通过全局池化把每个通道压缩成一个数，再经过一个小瓶颈和 sigmoid 进行激励：它重新加权哪些特征重要，在每个位置上相同。空间 SE（sSE）用 1×1 卷积把通道压缩成一张图，重新加权看哪里，对每个通道相同。scSE 并行地做两者。平均池化让每个位置都为其通道发声；最大池化只保留最强的响应，SENet 发现它略差。对整幅图像分类，通道 SE 是自然的选择；空间门控在每个位置都需要自己答案的任务中才有回报，例如分割——Roy 等人正是为此设计了它。</translation>
    </message>
    <message>
        <source>SENet&apos;s numbers are ImageNet top-1 errors of SE-ResNet-50 (lower is better); the study&apos;s small CNN on digits shows the direction of each change, not these values.</source>
        <translation>SENet 的数值是 SE-ResNet-50 在 ImageNet 上的 top-1 错误率（越低越好）；本研究在 digits 上的小型 CNN 展示每种改变的方向，而不是这些数值。</translation>
    </message>
</context>
<context>
    <name>AnswersDialog</name>
    <message>
        <source>Course questions</source>
        <translation>课程问题</translation>
    </message>
    <message>
        <source>The course&apos;s questions, each answered three ways: the mechanism, your own runs (the newest study that answers it, judged with confidence intervals and tests), and the published numbers.</source>
        <translation>课程中的问题，每个从三方面回答：机制、你自己的运行（回答该问题的最新一次研究，用置信区间和检验来判断），以及已发表的数值。</translation>
    </message>
</context>
<context>
    <name>ClassificationAttentionTab</name>
    <message>
        <source>test image #</source>
        <translation>测试图像 #</translation>
    </message>
    <message>
        <source>Sort by weight</source>
        <translation>按权重排序</translation>
    </message>
    <message>
        <source>Drop an image file here to use it instead</source>
        <translation>将图像文件拖放到这里以改用该图像</translation>
    </message>
    <message>
        <source>Channel excitations</source>
        <translation>通道激励</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>excitation</source>
        <translation>激励</translation>
    </message>
    <message>
        <source>Mean excitation per class</source>
        <translation>各类别的平均激励</translation>
    </message>
    <message>
        <source>early</source>
        <translation>浅层</translation>
    </message>
    <message>
        <source>middle</source>
        <translation>中层</translation>
    </message>
    <message>
        <source>late</source>
        <translation>深层</translation>
    </message>
    <message>
        <source>mean excitation</source>
        <translation>平均激励</translation>
    </message>
    <message>
        <source>class %1</source>
        <translation>类别 %1</translation>
    </message>
    <message>
        <source>SE run</source>
        <translation>SE 运行</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Class specificity (SENet, Hu et al.): mean excitation of two classes</source>
        <translation>类别特异性（SENet，Hu 等）：两个类别的平均激励</translation>
    </message>
    <message>
        <source>Run #%1 has no squeeze-and-excitation blocks; train a model with attention se or scse</source>
        <translation>运行 #%1 没有挤压–激励（SE）模块；请训练注意力为 se 或 scse 的模型</translation>
    </message>
    <message>
        <source>weights: %1</source>
        <translation>权重：%1</translation>
    </message>
    <message>
        <source>%1 (%2 channels)</source>
        <translation>%1（%2 个通道）</translation>
    </message>
    <message>
        <source>Run #%1: channel weights of %2 squeeze-and-excitation blocks</source>
        <translation>运行 #%1：%2 个挤压–激励（SE）模块的通道权重</translation>
    </message>
    <message>
        <source>channel %1</source>
        <translation>通道 %1</translation>
    </message>
    <message>
        <source>rank (sorted by weight; hover for the channel)</source>
        <translation>排名（按权重排序；悬停查看通道）</translation>
    </message>
    <message>
        <source>%1 was not used: pick a trained SE run before dropping an image</source>
        <translation>未使用 %1：请先选择一个训练好的 SE 运行，再拖入图像</translation>
    </message>
    <message>
        <source>Using %1</source>
        <translation>正在使用 %1</translation>
    </message>
    <message>
        <source>Pick a trained SE run first</source>
        <translation>请先选择一个已训练的 SE 运行</translation>
    </message>
</context>
<context>
    <name>ClassificationEvaluationTab</name>
    <message>
        <source>Evaluate on the test split</source>
        <translation>在测试集上评估</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Accuracy per class</source>
        <translation>各类别准确率</translation>
    </message>
    <message>
        <source>Click a cell of the confusion matrix</source>
        <translation>单击混淆矩阵中的单元格</translation>
    </message>
    <message>
        <source>&lt;b&gt;Confusion matrix&lt;/b&gt; · rows: true class · columns (→): predicted class · click a cell for its images</source>
        <translation>&lt;b&gt;混淆矩阵&lt;/b&gt; · 行：真实类别 · 列（→）：预测类别 · 点击单元格查看其图像</translation>
    </message>
    <message>
        <source>Most-confident mistakes</source>
        <translation>置信度最高的错误</translation>
    </message>
    <message>
        <source>No classification run with a checkpoint to evaluate</source>
        <translation>没有带检查点、可供评估的分类运行</translation>
    </message>
    <message>
        <source>Evaluating run #%1…</source>
        <translation>正在评估运行 #%1…</translation>
    </message>
    <message>
        <source>Run #%1: test accuracy %2 on %3 images</source>
        <translation>运行 #%1：在 %3 张图像上的测试准确率为 %2</translation>
    </message>
    <message>
        <source>Run #%1 evaluated</source>
        <translation>运行 #%1 已评估</translation>
    </message>
    <message>
        <source>(true %1 %2)</source>
        <translation>（真实 %1 %2）</translation>
    </message>
    <message>
        <source> (first %1)</source>
        <translation>（前 %1 张）</translation>
    </message>
    <message>
        <source>True %1, predicted %2: %3 image(s)%4</source>
        <translation>真实 %1，预测 %2：%3 张图像%4</translation>
    </message>
</context>
<context>
    <name>ClassificationLab</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Guide</source>
        <translation>指南</translation>
    </message>
    <message>
        <source> (the first of %1 dropped files; the attention view takes one image)</source>
        <translation>（拖入的 %1 个文件中的第一个；注意力视图一次只取一张图像）</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <source>%1 holds a %2 model, not an image classifier (a checkpoint of another lab?)</source>
        <translation>%1 保存的是 %2 模型，不是图像分类器（是其他实验室的检查点吗？）</translation>
    </message>
    <message>
        <source>%1: its weights do not fit the %2 model it names (%3)</source>
        <translation>%1：其权重与它所记录的 %2 模型不匹配（%3）</translation>
    </message>
</context>
<context>
    <name>ClassificationModelsTab</name>
    <message>
        <source>(form values)</source>
        <translation>（使用表单中的值）</translation>
    </message>
    <message>
        <source>recipe / default</source>
        <translation>配方 / 默认</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Width multiplier</source>
        <translation>宽度乘子</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Recipe</source>
        <translation>训练配方</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>FLOPs</source>
        <translation>FLOPs</translation>
    </message>
    <message>
        <source>%1 parameters, %2 MFLOPs per 32×32 image</source>
        <translation>%1 个参数，每张 32×32 图像 %2 MFLOPs</translation>
    </message>
    <message>
        <source>; %1 depthwise-separable layers cost %2–%3 of a standard convolution (1/N + 1/D_K²)</source>
        <translation>；%1 个深度可分离卷积层的计算量是标准卷积的 %2–%3（1/N + 1/D_K²）</translation>
    </message>
    <message>
        <source>Run #%1 queued</source>
        <translation>运行 #%1 已加入队列</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Metric drawn on the curve plot and summarised in the table</source>
        <translation>曲线图中绘制并在表格中汇总的指标</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Wall time (s)</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>FLOPs</source>
        <translation>FLOPs</translation>
    </message>
    <message>
        <source>Inference latency (ms)</source>
        <translation>推理延迟（毫秒）</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation>X 轴：</translation>
    </message>
    <message>
        <source>Cost:</source>
        <translation>代价：</translation>
    </message>
    <message>
        <source>Step cursor: drag to read every run&apos;s value at a step</source>
        <translation>步数游标：拖动以读取每个运行在该步的数值</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Value at cursor</source>
        <translation>游标处的值</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>汇总</translation>
    </message>
    <message>
        <source>Configuration differences</source>
        <translation>配置差异</translation>
    </message>
    <message>
        <source>Values at cursor</source>
        <translation>游标处的值</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>A verdict compares groups of runs: select runs of two or more configurations, each over a few seeds (a study does this for you).</source>
        <translation>结论比较的是几组运行：请选择两种或更多配置的运行，每种配置用几个随机种子（对比实验会替你完成）。</translation>
    </message>
    <message>
        <source>group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>mean ± std</source>
        <translation>均值 ± 标准差</translation>
    </message>
    <message>
        <source>difference [95 % CI]</source>
        <translation>差值 [95 % 置信区间]</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>%1 (n=%2)</source>
        <translation>%1 (n=%2)</translation>
    </message>
    <message>
        <source>Select two or more runs in the Runs list and choose Compare</source>
        <translation>在运行列表中选择两个或更多运行，然后选择“比较”</translation>
    </message>
    <message>
        <source>None of these runs recorded %1</source>
        <translation>这些运行都没有记录 %1</translation>
    </message>
    <message>
        <source>a metric</source>
        <translation>某个指标</translation>
    </message>
    <message>
        <source>%1 (final value)</source>
        <translation>%1（最终值）</translation>
    </message>
    <message>
        <source>published</source>
        <translation>已发表</translation>
    </message>
    <message>
        <source>published {value:.4g}</source>
        <translation>已发表 {value:.4g}</translation>
    </message>
    <message>
        <source>metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Run, or runs differing only by seed (mean ± sample std, n runs)</source>
        <translation>运行，或只有随机种子不同的一组运行（均值 ± 样本标准差，n 个运行）</translation>
    </message>
    <message>
        <source>Final %1</source>
        <translation>最终 %1</translation>
    </message>
    <message>
        <source>Value at the end of training</source>
        <translation>训练结束时的值</translation>
    </message>
    <message>
        <source>Best %1</source>
        <translation>最佳 %1</translation>
    </message>
    <message>
        <source>Best value over the epochs</source>
        <translation>各轮中的最佳值</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Trainable parameters</source>
        <translation>可训练参数</translation>
    </message>
    <message>
        <source>Floating-point operations of one forward pass</source>
        <translation>一次前向传播的浮点运算次数</translation>
    </message>
    <message>
        <source>Samples/s</source>
        <translation>样本/秒</translation>
    </message>
    <message>
        <source>Training throughput of the last epoch (samples/s)</source>
        <translation>最后一轮的训练吞吐量（样本/秒）</translation>
    </message>
    <message>
        <source>Latency (ms)</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Inference latency of one example (ms)</source>
        <translation>单个样本的推理延迟（毫秒）</translation>
    </message>
    <message>
        <source>Training (s)</source>
        <translation>训练（秒）</translation>
    </message>
    <message>
        <source>Seconds spent training and evaluating; paused time, the wait in the queue and the gap before a resume are left out</source>
        <translation>训练和评估所用的秒数；不计暂停时间、排队等待以及恢复前的间隔</translation>
    </message>
    <message>
        <source>Only the final %1 is known for %2 (no recorded points): drawn as one ◆ marker at the end of training.</source>
        <translation>%2 只有最终的 %1（没有记录的数据点）：在训练结束处以一个 ◆ 标记绘制。</translation>
    </message>
    <message>
        <source>No %1 recorded for %2.</source>
        <translation>%2 没有记录 %1。</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Completed epochs</source>
        <translation>已完成的轮数</translation>
    </message>
    <message>
        <source>published · %1 · %2 (%3)</source>
        <translation>已发表 · %1 · %2 (%3)</translation>
    </message>
    <message>
        <source>%1 ± %2 (n=%3)</source>
        <translation>%1 ± %2 (n=%3)</translation>
    </message>
    <message>
        <source>Wall clock from start to finish: %1 s</source>
        <translation>从开始到结束的实际时间：%1 秒</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1（默认）</translation>
    </message>
    <message>
        <source>Not set in this run&apos;s configuration: the default value applies</source>
        <translation>此运行的配置未设置该项：使用默认值</translation>
    </message>
    <message>
        <source>Not an option of this run&apos;s model or dataset</source>
        <translation>不是此运行的模型或数据集的选项</translation>
    </message>
    <message>
        <source>No run has both a cost and a final %1</source>
        <translation>没有运行同时具有代价和最终 %1</translation>
    </message>
    <message>
        <source>%1 at step %2</source>
        <translation>第 %2 步的 %1</translation>
    </message>
    <message>
        <source>Runs of different tasks (%1): cost and quality use %2&apos;s primary metric.</source>
        <translation>所选运行属于不同任务（%1）：代价和质量使用 %2 的主要指标。</translation>
    </message>
</context>
<context>
    <name>ConfigForm</name>
    <message>
        <source>Default: %1</source>
        <translation>默认值：%1</translation>
    </message>
    <message>
        <source>Model option %1</source>
        <translation>模型选项 %1</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Model options</source>
        <translation>模型选项</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>data</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>momentum</source>
        <translation>动量</translation>
    </message>
    <message>
        <source>weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>scheduler</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>step size</source>
        <translation>衰减间隔</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>channels last</source>
        <translation>通道在后 (NHWC)</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>数值精度</translation>
    </message>
    <message>
        <source>threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <source>max steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <source>checkpoint every</source>
        <translation>检查点间隔</translation>
    </message>
    <message>
        <source>num workers</source>
        <translation>加载进程数</translation>
    </message>
    <message>
        <source>label smoothing</source>
        <translation>标签平滑</translation>
    </message>
    <message>
        <source>keep epoch weights</source>
        <translation>保留每轮权重</translation>
    </message>
    <message>
        <source>sigma</source>
        <translation>噪声水平 σ</translation>
    </message>
    <message>
        <source>blind</source>
        <translation>盲去噪</translation>
    </message>
    <message>
        <source>sigma min</source>
        <translation>最小 σ</translation>
    </message>
    <message>
        <source>sigma max</source>
        <translation>最大 σ</translation>
    </message>
    <message>
        <source>val data</source>
        <translation>验证数据</translation>
    </message>
    <message>
        <source>components</source>
        <translation>主成分数</translation>
    </message>
    <message>
        <source>window</source>
        <translation>窗口大小</translation>
    </message>
    <message>
        <source>train ratio</source>
        <translation>训练比例</translation>
    </message>
    <message>
        <source>pca fit</source>
        <translation>PCA 拟合范围</translation>
    </message>
    <message>
        <source>eval max</source>
        <translation>每轮评估像素数</translation>
    </message>
    <message>
        <source>final eval</source>
        <translation>最终评估</translation>
    </message>
    <message>
        <source>losses</source>
        <translation>损失项</translation>
    </message>
    <message>
        <source>lam</source>
        <translation>λ</translation>
    </message>
    <message>
        <source>eta</source>
        <translation>η</translation>
    </message>
    <message>
        <source>bands</source>
        <translation>波段数</translation>
    </message>
    <message>
        <source>dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>depth</source>
        <translation>深度</translation>
    </message>
    <message>
        <source>features</source>
        <translation>特征数</translation>
    </message>
    <message>
        <source>channels</source>
        <translation>通道数</translation>
    </message>
    <message>
        <source>residual</source>
        <translation>残差学习</translation>
    </message>
    <message>
        <source>batchnorm</source>
        <translation>批归一化</translation>
    </message>
    <message>
        <source>dim a</source>
        <translation>A 维度</translation>
    </message>
    <message>
        <source>dim b</source>
        <translation>B 维度</translation>
    </message>
    <message>
        <source>hidden</source>
        <translation>隐藏层</translation>
    </message>
    <message>
        <source>common</source>
        <translation>公共空间维度</translation>
    </message>
    <message>
        <source>width mult</source>
        <translation>宽度乘子</translation>
    </message>
    <message>
        <source>relu6</source>
        <translation>ReLU6</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>reduction</source>
        <translation>压缩比</translation>
    </message>
    <message>
        <source>squeeze</source>
        <translation>压缩方式</translation>
    </message>
    <message>
        <source>combine</source>
        <translation>合并方式</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出激活</translation>
    </message>
    <message>
        <source>paper residual</source>
        <translation>论文残差结构</translation>
    </message>
    <message>
        <source>width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>ssim</source>
        <translation>SSIM 窗口</translation>
    </message>
    <message>
        <source>val noise</source>
        <translation>验证噪声</translation>
    </message>
    <message>
        <source>split</source>
        <translation>划分</translation>
    </message>
    <message>
        <source>aa absent</source>
        <translation>AA 缺失类</translation>
    </message>
    <message>
        <source>select weights</source>
        <translation>选用权重</translation>
    </message>
    <message>
        <source>Model architecture (registered name).</source>
        <translation>模型结构（注册名）。</translation>
    </message>
    <message>
        <source>Dataset name or path.</source>
        <translation>数据集名称或路径。</translation>
    </message>
    <message>
        <source>Number of passes over the training set.</source>
        <translation>遍历训练集的次数。</translation>
    </message>
    <message>
        <source>Samples per optimisation step (per process under DDP).</source>
        <translation>每个优化步的样本数（DDP 下为每个进程）。</translation>
    </message>
    <message>
        <source>Initial learning rate.</source>
        <translation>初始学习率。</translation>
    </message>
    <message>
        <source>Optimisation algorithm.</source>
        <translation>优化算法。</translation>
    </message>
    <message>
        <source>SGD momentum.</source>
        <translation>SGD 动量。</translation>
    </message>
    <message>
        <source>L2 weight decay.</source>
        <translation>L2 权重衰减。</translation>
    </message>
    <message>
        <source>Learning-rate schedule over the epochs.</source>
        <translation>各轮的学习率调度策略。</translation>
    </message>
    <message>
        <source>Epochs between ×0.1 decays for the step schedule.</source>
        <translation>阶梯调度中每次 ×0.1 衰减之间的轮数。</translation>
    </message>
    <message>
        <source>Seed for initialisation, data split and data order.</source>
        <translation>用于初始化、数据划分和数据顺序的随机种子。</translation>
    </message>
    <message>
        <source>Where to train.</source>
        <translation>训练所用的设备。</translation>
    </message>
    <message>
        <source>NHWC memory layout for convolutions.</source>
        <translation>卷积使用 NHWC 内存布局。</translation>
    </message>
    <message>
        <source>Arithmetic of the training steps: fp32, or bf16 autocast where the device has native bf16 (recent GPUs; CPUs with AVX-512 BF16 or AMX); weights, optimizer and evaluation stay fp32.</source>
        <translation>训练步骤的运算精度：fp32，或在原生支持 bf16 的设备上使用 bf16 自动混合精度（较新的 GPU；支持 AVX-512 BF16 或 AMX 的 CPU）；权重、优化器和评估仍为 fp32。</translation>
    </message>
    <message>
        <source>CPU threads for PyTorch (0 = PyTorch&apos;s default).</source>
        <translation>PyTorch 的 CPU 线程数（0 = PyTorch 默认）。</translation>
    </message>
    <message>
        <source>Stop after this many steps (0 = no limit).</source>
        <translation>达到此步数后停止（0 = 不限制）。</translation>
    </message>
    <message>
        <source>Save a checkpoint every N epochs.</source>
        <translation>每 N 轮保存一次检查点。</translation>
    </message>
    <message>
        <source>DataLoader worker processes.</source>
        <translation>DataLoader 的工作进程数。</translation>
    </message>
    <message>
        <source>Cross-entropy label smoothing.</source>
        <translation>交叉熵的标签平滑。</translation>
    </message>
    <message>
        <source>Also keep the model weights of every epoch (epoch_N.pt), for inspecting earlier checkpoints.</source>
        <translation>同时保留每一轮的模型权重（epoch_N.pt），以便查看较早的检查点。</translation>
    </message>
    <message>
        <source>Dataset name (image_folder takes data.root=FOLDER).</source>
        <translation>数据集名称（image_folder 需要 data.root=文件夹）。</translation>
    </message>
    <message>
        <source>Patches per optimisation step (per process under DDP).</source>
        <translation>每个优化步的图像块数（DDP 下为每个进程）。</translation>
    </message>
    <message>
        <source>Epochs between ×0.1 decays for the step schedule (paper: 1e-3 → 1e-4 at 30).</source>
        <translation>阶梯调度中每次 ×0.1 衰减之间的轮数（论文：第 30 轮由 1e-3 降到 1e-4）。</translation>
    </message>
    <message>
        <source>Noise level σ on the 8-bit scale: the training σ (unless blind) and the validation σ.</source>
        <translation>8 位尺度上的噪声水平 σ：训练用的 σ（盲去噪时除外）和验证用的 σ。</translation>
    </message>
    <message>
        <source>Blind training (DnCNN-B): each patch gets σ uniform in [sigma_min, sigma_max].</source>
        <translation>盲去噪训练（DnCNN-B）：每个图像块的 σ 在 [sigma_min, sigma_max] 中均匀采样。</translation>
    </message>
    <message>
        <source>Lowest σ for blind training.</source>
        <translation>盲去噪训练的最小 σ。</translation>
    </message>
    <message>
        <source>Highest σ for blind training.</source>
        <translation>盲去噪训练的最大 σ。</translation>
    </message>
    <message>
        <source>Folder of held-out clean images for validation PSNR (empty: the dataset&apos;s own).</source>
        <translation>用于计算验证 PSNR 的留出干净图像文件夹（留空：使用数据集自带的）。</translation>
    </message>
    <message>
        <source>Patch classifier: hybridsn (3-D→2-D), hybridsn_2d3d, cnn2d or cnn3d.</source>
        <translation>图像块分类器：hybridsn（3-D→2-D）、hybridsn_2d3d、cnn2d 或 cnn3d。</translation>
    </message>
    <message>
        <source>Scene: indian_pines (offline), pavia_university, salinas, or hsi_file with data.path=FILE.</source>
        <translation>场景：indian_pines（离线可用）、pavia_university、salinas，或 hsi_file 配合 data.path=文件。</translation>
    </message>
    <message>
        <source>Number of passes over the training pixels (the authors: 100).</source>
        <translation>遍历训练像素的次数（作者：100）。</translation>
    </message>
    <message>
        <source>Patches per optimisation step (the authors: 256).</source>
        <translation>每个优化步的图像块数（作者：256）。</translation>
    </message>
    <message>
        <source>Adam learning rate (the authors: 1e-3).</source>
        <translation>Adam 学习率（作者：1e-3）。</translation>
    </message>
    <message>
        <source>NHWC layout applies to 2-D images, not to these 3-D patches.</source>
        <translation>NHWC 布局适用于 2-D 图像，不适用于这些 3-D 图像块。</translation>
    </message>
    <message>
        <source>PCA components K (the authors: 30 for Indian Pines, 15 for Pavia and Salinas).</source>
        <translation>PCA 主成分数 K（作者：Indian Pines 为 30，Pavia 和 Salinas 为 15）。</translation>
    </message>
    <message>
        <source>Side of the square window around each pixel (odd; the authors: 25).</source>
        <translation>每个像素周围正方形窗口的边长（奇数；作者：25）。</translation>
    </message>
    <message>
        <source>Share of labelled pixels used for training, stratified by class and seeded (the paper: 0.3; the course: 0.1).</source>
        <translation>用于训练的标注像素比例，按类别分层并固定随机种子（论文：0.3；课程：0.1）。</translation>
    </message>
    <message>
        <source>Fit the PCA on the whole scene (as the authors, which lets test pixels shape the components) or on the training pixels only.</source>
        <translation>在整个场景上拟合 PCA（与作者相同，这会让测试像素影响主成分），或只在训练像素上拟合。</translation>
    </message>
    <message>
        <source>Test pixels scored after each epoch (stratified, seeded; 0 = all). The whole test split is scored once training finishes.</source>
        <translation>每轮结束后评估的测试像素数（分层、固定种子；0 = 全部）。训练结束后会评估整个测试集。</translation>
    </message>
    <message>
        <source>Score every test pixel when training finishes (OA, AA, kappa, per class).</source>
        <translation>训练结束时评估每个测试像素（OA、AA、kappa 及各类别精度）。</translation>
    </message>
    <message>
        <source>Also keep the model weights of every epoch (epoch_N.pt), so the lab&apos;s maps can follow the epoch scrubber.</source>
        <translation>同时保留每一轮的模型权重（epoch_N.pt），使实验中的分类图可以跟随轮次游标变化。</translation>
    </message>
    <message>
        <source>Cross-modal model: dscmr (two FC branches, a shared layer, a shared classifier).</source>
        <translation>跨模态模型：dscmr（两个全连接分支、一个共享层、一个共享分类器）。</translation>
    </message>
    <message>
        <source>Paired features: indian_pines_views (offline two-view benchmark), pascal_sentence / wikipedia / nus_wide_10k / xmedianet or dscmr_mat (the authors&apos; .mat files, data.path=FOLDER), image_text (your images and captions).</source>
        <translation>成对特征：indian_pines_views（离线双视图基准）、pascal_sentence / wikipedia / nus_wide_10k / xmedianet 或 dscmr_mat（作者的 .mat 文件，data.path=文件夹）、image_text（你自己的图像和描述文字）。</translation>
    </message>
    <message>
        <source>Passes over the training pairs (the authors: up to 500).</source>
        <translation>遍历训练样本对的次数（作者：最多 500）。</translation>
    </message>
    <message>
        <source>Pairs per optimisation step (the authors: 100).</source>
        <translation>每个优化步的样本对数（作者：100）。</translation>
    </message>
    <message>
        <source>Adam learning rate (the authors: 1e-4).</source>
        <translation>Adam 学习率（作者：1e-4）。</translation>
    </message>
    <message>
        <source>NHWC layout applies to images, not to feature vectors.</source>
        <translation>NHWC 布局适用于图像，不适用于特征向量。</translation>
    </message>
    <message>
        <source>Loss terms trained with, joined by +: j1 (label space), j2 (common space), j3 (modality invariance).</source>
        <translation>训练使用的损失项，用 + 连接：j1（标签空间）、j2（公共空间）、j3（模态不变性）。</translation>
    </message>
    <message>
        <source>λ, the weight of J2 (the authors: 1e-3).</source>
        <translation>λ，J2 的权重（作者：1e-3）。</translation>
    </message>
    <message>
        <source>η, the weight of J3 (the authors: 0.1).</source>
        <translation>η，J3 的权重（作者：0.1）。</translation>
    </message>
    <message>
        <source>SSIM window of the validation score: gaussian = 11×11, σ 1.5 (Wang et al., DnCNN/KAIR); uniform = scikit-image&apos;s default 7×7.</source>
        <translation>验证分数的 SSIM 窗口：gaussian = 11×11，σ 1.5（Wang 等，DnCNN/KAIR）；uniform = scikit-image 默认的 7×7。</translation>
    </message>
    <message>
        <source>Noise of the validation images: seeded = numpy default_rng(image index); kair = np.random.seed(0) per image, as KAIR&apos;s test script.</source>
        <translation>验证图像的噪声：seeded = numpy default_rng(图像序号)；kair = 每张图像 np.random.seed(0)，与 KAIR 的测试脚本相同。</translation>
    </message>
    <message>
        <source>Train/test pixel sets: seed = stratified split seeded by the run&apos;s seed; authors = the authors&apos; split (random_state=345) whatever the seed (the training itself still follows the seed).</source>
        <translation>训练/测试像素集：seed = 以运行的随机种子进行分层划分；authors = 作者的划分（random_state=345），与随机种子无关（训练本身仍遵循随机种子）。</translation>
    </message>
    <message>
        <source>AA when a class is predicted but has no test pixel: skip = averaged over the classes present in the truth; zero = such a class counts with accuracy 0 (the authors&apos; code).</source>
        <translation>某类别被预测但没有测试像素时的 AA：skip = 只对真值中出现的类别取平均；zero = 该类别按准确率 0 计（作者的代码）。</translation>
    </message>
    <message>
        <source>The weights the run ends with and is scored with: last = the final epoch&apos;s; best_train = those of the epoch with the best training accuracy (the HybridSN authors&apos; rule, Keras ModelCheckpoint on &apos;acc&apos;). The test split never picks them.</source>
        <translation>运行最终采用并用于评分的权重：last = 最后一个周期的权重；best_train = 训练准确率最高的周期的权重（HybridSN 作者的规则，Keras 以 &apos;acc&apos; 为监控量的 ModelCheckpoint）。测试集从不参与选择。</translation>
    </message>
</context>
<context>
    <name>ConfusionMatrixView</name>
    <message>
        <source>Rows: true class, columns: predicted class. Click a cell to see its images.</source>
        <translation>行：真实类别，列：预测类别。单击单元格查看对应的图像。</translation>
    </message>
</context>
<context>
    <name>DenoiseWorker</name>
    <message>
        <source>%1 is not a DnCNN</source>
        <translation>%1 不是 DnCNN 模型</translation>
    </message>
</context>
<context>
    <name>DenoisingLab</name>
    <message>
        <source>Wavelet</source>
        <translation>小波</translation>
    </message>
    <message>
        <source>camera (built-in)</source>
        <translation>camera（内置）</translation>
    </message>
    <message>
        <source>Drop images (PNG, JPEG, TIFF, BMP) or a folder here, or use Open images…</source>
        <translation>将图像（PNG、JPEG、TIFF、BMP）或文件夹拖放到这里，或使用“打开图像…”</translation>
    </message>
    <message>
        <source>Checked methods denoise every dropped image, side by side</source>
        <translation>勾选的方法会对每张拖入的图像去噪，并排显示</translation>
    </message>
    <message>
        <source>Import weights…</source>
        <translation>导入权重…</translation>
    </message>
    <message>
        <source>Published DnCNN weights: KAIR .pth or MatConvNet .mat</source>
        <translation>已发布的 DnCNN 权重：KAIR .pth 或 MatConvNet .mat</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Noise level σ (8-bit scale): the synthetic noise added to clean images, and the level the classical methods assume; &apos;auto&apos; estimates it per image</source>
        <translation>噪声水平 σ（8 位尺度）：向干净图像添加的合成噪声，也是传统方法假定的噪声水平；“自动”会逐张估计</translation>
    </message>
    <message>
        <source>Add synthetic noise σ (the images are clean)</source>
        <translation>添加合成噪声 σ（图像是干净的）</translation>
    </message>
    <message>
        <source>Treat dropped images as clean: add seeded Gaussian noise first, so PSNR, SSIM and the error maps can be shown</source>
        <translation>将拖入的图像视为干净图像：先添加固定种子的高斯噪声，以便显示 PSNR、SSIM 和误差图</translation>
    </message>
    <message>
        <source>Open images…</source>
        <translation>打开图像…</translation>
    </message>
    <message>
        <source>Denoise folder…</source>
        <translation>对文件夹去噪…</translation>
    </message>
    <message>
        <source>Try a sample image (cameraman)</source>
        <translation>试用示例图像（cameraman）</translation>
    </message>
    <message>
        <source>scikit-image&apos;s 512×512 cameraman, the classic test image: no file of your own needed</source>
        <translation>scikit-image 自带的 512×512 cameraman 经典测试图像：无需您自己的文件</translation>
    </message>
    <message>
        <source>Denoise again</source>
        <translation>重新去噪</translation>
    </message>
    <message>
        <source>Run the checked methods on the shown image with the current σ</source>
        <translation>用当前 σ 对显示的图像运行勾选的方法</translation>
    </message>
    <message>
        <source>next to each source</source>
        <translation>与源文件相同的位置</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the restored image (Ctrl+S), in the source&apos;s bit depth</source>
        <translation>以源图像的位深保存复原图像 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Before/after: noisy left of the line, restored right of it (or drag the yellow line)</source>
        <translation>前后对比：线左侧为含噪图像，右侧为复原图像（也可拖动黄线）</translation>
    </message>
    <message>
        <source>11×11 Gaussian (papers)</source>
        <translation>11×11 高斯（论文）</translation>
    </message>
    <message>
        <source>7×7 uniform (scikit-image)</source>
        <translation>7×7 均匀（scikit-image）</translation>
    </message>
    <message>
        <source>The window SSIM is computed with: 11×11 Gaussian, σ 1.5, as Wang et al. 2004 and DnCNN/KAIR report it, or scikit-image&apos;s default 7×7 uniform window. “Denoise again” rescores the shown image</source>
        <translation>计算 SSIM 所用的窗口：11×11 高斯、σ 1.5（Wang 等 2004 及 DnCNN/KAIR 报告所用），或 scikit-image 默认的 7×7 均匀窗口。“再次去噪”会重新为当前图像评分</translation>
    </message>
    <message>
        <source>SSIM map instead of |error|</source>
        <translation>显示 SSIM 图而非 |误差|</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Get the authors&apos; DnCNN (2 MB)</source>
        <translation>获取作者的 DnCNN（2 MB）</translation>
    </message>
    <message>
        <source>Download DnCNN-S for σ = 25 (KAIR&apos;s dncnn_25.pth, MIT licence), check its sha256 and add it as a run</source>
        <translation>下载 σ = 25 的 DnCNN-S（KAIR 的 dncnn_25.pth，MIT 许可证），校验其 sha256 并添加为一个运行</translation>
    </message>
    <message>
        <source>σ</source>
        <translation>σ</translation>
    </message>
    <message>
        <source>Noise seed</source>
        <translation>噪声种子</translation>
    </message>
    <message>
        <source>SSIM window</source>
        <translation>SSIM 窗口</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Swipe</source>
        <translation>滑动对比</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>&amp;Open images to denoise…</source>
        <translation>打开要去噪的图像(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Import weights…</source>
        <translation>导入权重(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Save denoised image</source>
        <translation>保存去噪图像(&amp;S)</translation>
    </message>
    <message>
        <source>Save denoised image &amp;As…</source>
        <translation>去噪图像另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Cannot write the sample image to %1 (%2)</source>
        <translation>无法将示例图像写入 %1（%2）</translation>
    </message>
    <message>
        <source>%1: cannot list this folder (%2)</source>
        <translation>%1：无法列出此文件夹（%2）</translation>
    </message>
    <message>
        <source>%1: no PNG, JPEG, TIFF or BMP images in this folder</source>
        <translation>%1：此文件夹中没有 PNG、JPEG、TIFF 或 BMP 图像</translation>
    </message>
    <message>
        <source>%1: cannot be read (%2)</source>
        <translation>%1：无法读取（%2）</translation>
    </message>
    <message>
        <source>%1: not a regular file (a FIFO, socket or device), not an image</source>
        <translation>%1：不是普通文件（FIFO、套接字或设备），不是图像</translation>
    </message>
    <message>
        <source>%1: not an image but a weights, checkpoint or data file; DnCNN weights are added with Import weights… (Ctrl+I)</source>
        <translation>%1：不是图像，而是权重、检查点或数据文件；DnCNN 权重请用“导入权重…”（Ctrl+I）添加</translation>
    </message>
    <message>
        <source>Check at least one method (a DnCNN run or a classical baseline).</source>
        <translation>请至少勾选一种方法（DnCNN 运行或传统基线方法）。</translation>
    </message>
    <message>
        <source>Queued %1 file(s)</source>
        <translation>已将 %1 个文件加入队列</translation>
    </message>
    <message>
        <source> — %1 trained for another σ than %2: a blind DnCNN-B, or a model for this σ, does better</source>
        <translation> — %1 是为另一个 σ 训练的（当前 σ 为 %2）：盲去噪 DnCNN-B 或为此 σ 训练的模型效果更好</translation>
    </message>
    <message>
        <source>Downloading the authors&apos; DnCNN…</source>
        <translation>正在下载作者的 DnCNN…</translation>
    </message>
    <message>
        <source> of %1</source>
        <translation> / %1</translation>
    </message>
    <message>
        <source>Downloading the authors&apos; DnCNN: %1%2 MB</source>
        <translation>正在下载作者的 DnCNN：%1%2 MB</translation>
    </message>
    <message>
        <source>The authors&apos; DnCNN is run #%1</source>
        <translation>作者的 DnCNN 已添加为运行 #%1</translation>
    </message>
    <message>
        <source>Weights (*.pth *.pt *.pt.gz *.mat);;All files (*)</source>
        <translation>权重 (*.pth *.pt *.pt.gz *.mat);;所有文件 (*)</translation>
    </message>
    <message>
        <source> → %1</source>
        <translation> → %1</translation>
    </message>
    <message>
        <source>Denoising %1 file(s) with %2…</source>
        <translation>正在用 %2 对 %1 个文件去噪…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>%1 done</source>
        <translation>%1 已完成</translation>
    </message>
    <message>
        <source>Done: %1 of %2 file(s)</source>
        <translation>完成：%1 / %2 个文件</translation>
    </message>
    <message>
        <source>Cancelled after %1 of %2 file(s); results so far are kept</source>
        <translation>在 %1 / %2 个文件后取消；已保留目前的结果</translation>
    </message>
    <message>
        <source>; written to %1</source>
        <translation>；已写入 %1</translation>
    </message>
    <message>
        <source>; %1 file(s) could not be read (see the list)</source>
        <translation>；%1 个文件无法读取（见列表）</translation>
    </message>
    <message>
        <source> · best %1 dB</source>
        <translation> · 最佳 %1 dB</translation>
    </message>
    <message>
        <source> · %1 written</source>
        <translation> · 已写入 %1 个</translation>
    </message>
    <message>
        <source>Drop or open an image first.</source>
        <translation>请先拖入或打开一张图像。</translation>
    </message>
    <message>
        <source>Open images to denoise</source>
        <translation>打开要去噪的图像</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.tif *.tiff *.bmp)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.tif *.tiff *.bmp)</translation>
    </message>
    <message>
        <source>Folder of images to denoise</source>
        <translation>要去噪的图像文件夹</translation>
    </message>
    <message>
        <source>Import DnCNN weights</source>
        <translation>导入 DnCNN 权重</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>Imported %1 as run #%2 (%3 parameters)</source>
        <translation>已将 %1 导入为运行 #%2（%3 个参数）</translation>
    </message>
    <message>
        <source>Nothing to save yet: drop or open an image first.</source>
        <translation>还没有可保存的内容：请先拖入或打开一张图像。</translation>
    </message>
    <message>
        <source>Save denoised image</source>
        <translation>保存去噪图像</translation>
    </message>
    <message>
        <source>Images (*.png *.tif *.tiff *.bmp *.jpg)</source>
        <translation>图像 (*.png *.tif *.tiff *.bmp *.jpg)</translation>
    </message>
    <message>
        <source>Refusing to overwrite the original %1; choose another name</source>
        <translation>拒绝覆盖原始文件 %1；请另选一个名称</translation>
    </message>
    <message>
        <source>%1: no free file name left beside it</source>
        <translation>%1：旁边已没有可用的文件名</translation>
    </message>
    <message>
        <source>Saved %1 (%2-bit)</source>
        <translation>已保存 %1（%2 位）</translation>
    </message>
</context>
<context>
    <name>GuidePane</name>
    <message>
        <source>The guide %1 cannot be read: %2</source>
        <translation>无法读取指南 %1：%2</translation>
    </message>
    <message>
        <source>Guide</source>
        <translation>指南</translation>
    </message>
    <message>
        <source>Show the guide to this lab (Shift+F1)</source>
        <translation>显示本实验的指南 (Shift+F1)</translation>
    </message>
</context>
<context>
    <name>HyperspectralLab</name>
    <message>
        <source>a few seconds left</source>
        <translation>还剩几秒</translation>
    </message>
    <message>
        <source>about %1 s left</source>
        <translation>还剩约 %1 秒</translation>
    </message>
    <message>
        <source>about %1 min left</source>
        <translation>还剩约 %1 分钟</translation>
    </message>
    <message>
        <source>Select hyperspectral runs (task hsi) in the runs list.</source>
        <translation>请在运行列表中选择高光谱运行（任务 hsi）。</translation>
    </message>
    <message>
        <source>Click a pixel of a map for its spectrum and class probabilities.</source>
        <translation>单击地图上的像素，查看其光谱和类别概率。</translation>
    </message>
    <message>
        <source>Compute maps</source>
        <translation>计算分类图</translation>
    </message>
    <message>
        <source>Classify every pixel of the scene for the selected runs (runs in the background; cached per run and checkpoint)</source>
        <translation>用所选运行对场景中的每个像素分类（在后台运行；按运行和检查点缓存）</translation>
    </message>
    <message>
        <source>Opacity of the class colours over the false-colour image</source>
        <translation>类别颜色叠加在假彩色图像上的不透明度</translation>
    </message>
    <message>
        <source>Highlight errors</source>
        <translation>突出显示错误</translation>
    </message>
    <message>
        <source>Misclassified labelled pixels in red</source>
        <translation>以红色标出分错的标注像素</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#ff0000&apos;&gt;■&lt;/span&gt; misclassified labelled pixel; every other pixel is dimmed</source>
        <translation>&lt;span style=&apos;color:#ff0000&apos;&gt;■&lt;/span&gt; 分类错误的已标注像素；其余像素变暗显示</translation>
    </message>
    <message>
        <source>Show training pixels</source>
        <translation>显示训练像素</translation>
    </message>
    <message>
        <source>Band shown in the false-colour background</source>
        <translation>假彩色背景中显示的波段</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Bands</source>
        <translation>波段</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Pixel (row %1, col %2) · truth: %3</source>
        <translation>像素（第 %1 行，第 %2 列）· 真值：%3</translation>
    </message>
    <message>
        <source>Spectrum</source>
        <translation>光谱</translation>
    </message>
    <message>
        <source>Computing maps…</source>
        <translation>正在计算分类图…</translation>
    </message>
    <message>
        <source>Loading the scene…</source>
        <translation>正在加载场景…</translation>
    </message>
    <message>
        <source>Done in %1 s</source>
        <translation>用时 %1 秒</translation>
    </message>
    <message>
        <source>Stopped at %p %</source>
        <translation>停在 %p %</translation>
    </message>
    <message>
        <source>Cancelled; maps computed so far are kept.</source>
        <translation>已取消；已保留目前计算出的分类图。</translation>
    </message>
    <message>
        <source>%1 map(s) shown</source>
        <translation>已显示 %1 张分类图</translation>
    </message>
    <message>
        <source>; press Compute maps for run(s) %1</source>
        <translation>；请为运行 %1 点击“计算分类图”</translation>
    </message>
    <message>
        <source>on its %1 test pixels</source>
        <translation>在其 %1 个测试像素上</translation>
    </message>
    <message>
        <source>on %1 labelled pixels</source>
        <translation>在 %1 个已标注像素上</translation>
    </message>
    <message>
        <source>%1 %2: OA %3 · AA %4 · κ %5 · %6 misclassified</source>
        <translation>%1 %2：OA %3 · AA %4 · κ %5 · %6 个分错</translation>
    </message>
    <message>
        <source>Overall accuracy, average per-class accuracy and Cohen&apos;s kappa of the map against the ground truth, on the labelled pixels the run did not train on</source>
        <translation>地图相对真值的总体准确率、平均类别准确率和 Cohen kappa，基于该运行未用于训练的已标注像素</translation>
    </message>
    <message>
        <source>no checkpoint yet</source>
        <translation>尚无检查点</translation>
    </message>
    <message>
        <source>no hyperspectral run to show</source>
        <translation>没有可显示的高光谱运行</translation>
    </message>
</context>
<context>
    <name>Lab</name>
    <message>
        <source>Classification</source>
        <translation>图像分类</translation>
    </message>
    <message>
        <source>Denoising</source>
        <translation>图像去噪</translation>
    </message>
    <message>
        <source>Hyperspectral</source>
        <translation>高光谱分类</translation>
    </message>
    <message>
        <source>Retrieval</source>
        <translation>跨模态检索</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Loading the %1 lab…</source>
        <translation>正在加载%1实验…</translation>
    </message>
</context>
<context>
    <name>LiveCurves</name>
    <message>
        <source>step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>wall time</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Exponential moving average of the loss; the raw curve stays faint behind while at most %1 runs are shown</source>
        <translation>损失的指数移动平均；显示的运行不超过 %1 个时，原始曲线以浅色显示在后面</translation>
    </message>
    <message>
        <source>Log y</source>
        <translation>对数 y 轴</translation>
    </message>
    <message>
        <source>Metric shown in the lower plot</source>
        <translation>下方图中显示的指标</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>X axis</source>
        <translation>X 轴</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>◆: only the final values of this run are known (no recorded points)</source>
        <translation>◆：此运行只有最终值（没有记录的数据点）</translation>
    </message>
    <message>
        <source>Select a run, or start one, to see its curves</source>
        <translation>选择一个运行或开始一个运行，以查看其曲线</translation>
    </message>
    <message>
        <source>No training loss recorded for %1: only its final values are known</source>
        <translation>%1 没有记录训练损失：只知道它的最终值</translation>
    </message>
    <message>
        <source>No training loss recorded for %1</source>
        <translation>%1 没有记录训练损失</translation>
    </message>
    <message>
        <source>No evaluation recorded for %1</source>
        <translation>%1 没有记录评估结果</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Start a run with the settings of the New run panel</source>
        <translation>按“新建运行”面板的设置开始一次运行</translation>
    </message>
    <message>
        <source>Pause / resume the active run (when the runs list has focus)</source>
        <translation>暂停 / 继续当前运行（运行列表获得焦点时）</translation>
    </message>
    <message>
        <source>Stop the active run and keep a checkpoint</source>
        <translation>停止当前运行并保留检查点</translation>
    </message>
    <message>
        <source>Compare the selected runs</source>
        <translation>对比所选运行</translation>
    </message>
    <message>
        <source>Find runs</source>
        <translation>查找运行</translation>
    </message>
    <message>
        <source>Rename the selected run</source>
        <translation>重命名所选运行</translation>
    </message>
    <message>
        <source>Edit the tags of the selected run</source>
        <translation>编辑所选运行的标签</translation>
    </message>
    <message>
        <source>Delete the selected runs (asks first)</source>
        <translation>删除所选运行（会先确认）</translation>
    </message>
    <message>
        <source>Undo / redo a rename or tag edit</source>
        <translation>撤销 / 重做重命名或标签编辑</translation>
    </message>
    <message>
        <source>New study</source>
        <translation>新建对比实验</translation>
    </message>
    <message>
        <source>Export a report of the selected runs (HTML or PDF)</source>
        <translation>导出所选运行的报告（HTML 或 PDF）</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>Quit (a run in progress is checkpointed and marked interrupted)</source>
        <translation>退出（进行中的运行会保存检查点并标记为已中断）</translation>
    </message>
    <message>
        <source>Guide to the current lab</source>
        <translation>当前实验的指南</translation>
    </message>
    <message>
        <source>Course questions: the answers from your runs and the papers</source>
        <translation>课程问题：来自你的运行和论文的答案</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Start  (Ctrl+Return)</source>
        <translation>开始训练  (Ctrl+Return)</translation>
    </message>
    <message>
        <source>Loading engines…</source>
        <translation>正在加载引擎…</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>New run</source>
        <translation>新建运行</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Select two or more runs and press Ctrl+D to compare them.</source>
        <translation>选择两个或更多运行，按 Ctrl+D 进行对比。</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Move a cursor across every curve; the table lists each run&apos;s values</source>
        <translation>在所有曲线上移动游标；表格列出每个运行在该处的数值</translation>
    </message>
    <message>
        <source>step –</source>
        <translation>步数 –</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Cursor</source>
        <translation>游标</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>New &amp;study…</source>
        <translation>新建对比实验(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Export run to CSV…</source>
        <translation>导出运行为 CSV(&amp;E)…</translation>
    </message>
    <message>
        <source>Export &amp;report…</source>
        <translation>导出报告(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Rename run…</source>
        <translation>重命名运行(&amp;R)…</translation>
    </message>
    <message>
        <source>Edit &amp;tags…</source>
        <translation>编辑标签(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Delete runs…</source>
        <translation>删除运行(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Find run</source>
        <translation>查找运行(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause / Resume</source>
        <translation>暂停 / 继续(&amp;P)</translation>
    </message>
    <message>
        <source>S&amp;top (keep checkpoint)</source>
        <translation>停止（保留检查点）(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Cancel and discard</source>
        <translation>取消并丢弃(&amp;C)</translation>
    </message>
    <message>
        <source>C&amp;ontinue selected run</source>
        <translation>继续所选运行(&amp;O)</translation>
    </message>
    <message>
        <source>Clear &amp;queue</source>
        <translation>清空队列(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Compare selected runs</source>
        <translation>对比所选运行(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Guide to this lab</source>
        <translation>本实验指南(&amp;G)</translation>
    </message>
    <message>
        <source>Course &amp;questions…</source>
        <translation>课程问题(&amp;Q)…</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>%1; using %2</source>
        <translation>%1；改用 %2</translation>
    </message>
    <message>
        <source>device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>threads: %1</source>
        <translation>线程：%1</translation>
    </message>
    <message>
        <source>Cannot start the run: %1</source>
        <translation>无法开始运行：%1</translation>
    </message>
    <message>
        <source>Stopping after this batch…</source>
        <translation>将在本批次后停止…</translation>
    </message>
    <message>
        <source>Cancel and discard run #%1? Its checkpoint and curves are deleted.</source>
        <translation>取消并丢弃运行 #%1？其检查点和曲线将被删除。</translation>
    </message>
    <message>
        <source>Run #%1 cannot be continued: %2</source>
        <translation>运行 #%1 无法继续：%2</translation>
    </message>
    <message>
        <source>Continuing run #%1 from epoch %2</source>
        <translation>从第 %2 轮继续运行 #%1</translation>
    </message>
    <message>
        <source>Select one run to continue</source>
        <translation>请选择一个要继续的运行</translation>
    </message>
    <message>
        <source>Run #%1 has no checkpoint to continue from.</source>
        <translation>运行 #%1 没有可供继续的检查点。</translation>
    </message>
    <message>
        <source>Train further</source>
        <translation>继续训练</translation>
    </message>
    <message>
        <source>Train run #%1 up to epoch:</source>
        <translation>将运行 #%1 训练到第几轮：</translation>
    </message>
    <message>
        <source>Run #%1 is %2 and cannot be continued</source>
        <translation>运行 #%1 的状态为%2，无法继续</translation>
    </message>
    <message>
        <source>Rename run</source>
        <translation>重命名运行</translation>
    </message>
    <message>
        <source>Name of run #%1:</source>
        <translation>运行 #%1 的名称：</translation>
    </message>
    <message>
        <source>Edit tags</source>
        <translation>编辑标签</translation>
    </message>
    <message>
        <source>Tags of run #%1 (comma-separated):</source>
        <translation>运行 #%1 的标签（逗号分隔）：</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n run(s) with their checkpoints and curves? This cannot be undone.</source>
        <translation>
            <numerusform>删除 %n 个运行及其检查点和曲线？此操作无法撤销。</numerusform>
        </translation>
    </message>
    <message>
        <source>Run #%1 was not deleted: %2</source>
        <translation>运行 #%1 未被删除：%2</translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n run(s)</source>
        <translation>
            <numerusform>已删除 %n 个运行</numerusform>
        </translation>
    </message>
    <message>
        <source>Select one run to export</source>
        <translation>请选择一个要导出的运行</translation>
    </message>
    <message>
        <source>Export run</source>
        <translation>导出运行</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Exported run #%1 to %2</source>
        <translation>已将运行 #%1 导出到 %2</translation>
    </message>
    <message>
        <source>Select two or more runs to compare</source>
        <translation>请选择两个或更多运行进行对比</translation>
    </message>
    <message numerus="yes">
        <source>Queued %n run(s) of the study</source>
        <translation>
            <numerusform>已将对比实验的 %n 个运行加入队列</numerusform>
        </translation>
    </message>
    <message>
        <source>Run #%1: %2; its curves are shown, but no lab can use it</source>
        <translation>运行 #%1：%2；已显示其曲线，但任何实验室都无法使用它</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>步数 %1</translation>
    </message>
    <message>
        <source>Run #%1 training</source>
        <translation>运行 #%1 训练中</translation>
    </message>
    <message>
        <source>Run #%1 paused</source>
        <translation>运行 #%1 已暂停</translation>
    </message>
    <message>
        <source>Run #%1 %2: %3</source>
        <translation>运行 #%1 %2：%3</translation>
    </message>
    <message>
        <source>Run #%1 %2</source>
        <translation>运行 #%1 %2</translation>
    </message>
    <message>
        <source>Run #%1: %2</source>
        <translation>运行 #%1：%2</translation>
    </message>
    <message>
        <source>Run #%1 ended: %2</source>
        <translation>运行 #%1 已结束：%2</translation>
    </message>
    <message>
        <source>The run store %1 cannot be opened: %2
The window opened without it: the runs list is empty and no run can be started, imported or recorded in this session. Nothing was changed; repair the file or move it aside to start a new store.</source>
        <translation>无法打开运行存储 %1：%2
窗口已在没有它的情况下打开：运行列表为空，本次会话中无法开始、导入或记录任何运行。没有做任何更改；请修复该文件，或将其移走以新建存储。</translation>
    </message>
    <message>
        <source>The run store %1 is read-only: its runs are listed and can be shown, compared and exported, but no run can be started, imported, renamed or deleted in this session.</source>
        <translation>运行存储 %1 为只读：其中的运行会列出，可以查看、比较和导出，但本次会话中无法开始、导入、重命名或删除任何运行。</translation>
    </message>
    <message>
        <source>Settings: %1</source>
        <translation>设置：%1</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Preferences cannot be changed in this session: %1</source>
        <translation>本次会话中无法更改首选项：%1</translation>
    </message>
    <message>
        <source>memory: %1 MiB</source>
        <translation>内存：%1 MiB</translation>
    </message>
    <message>
        <source>Stopping the run and saving a checkpoint…</source>
        <translation>正在停止运行并保存检查点…</translation>
    </message>
</context>
<context>
    <name>Methods</name>
    <message>
        <source>Non-local means (scikit-image)</source>
        <translation>非局部均值 (scikit-image)</translation>
    </message>
    <message>
        <source>Total variation (Chambolle)</source>
        <translation>全变分 (Chambolle)</translation>
    </message>
    <message>
        <source>Wavelet BayesShrink (scikit-image)</source>
        <translation>小波 BayesShrink (scikit-image)</translation>
    </message>
    <message>
        <source>BM3D (bm3d package)</source>
        <translation>BM3D（bm3d 包）</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>Where datasets are downloaded and looked for; empty: the default folder</source>
        <translation>数据集的下载和查找位置；留空则使用默认文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>Default device of new runs</source>
        <translation>新运行的默认设备</translation>
    </message>
    <message>
        <source>PyTorch default</source>
        <translation>PyTorch 默认</translation>
    </message>
    <message>
        <source>CPU threads PyTorch uses for training and inference</source>
        <translation>PyTorch 训练和推理使用的 CPU 线程数</translation>
    </message>
    <message>
        <source> Hz</source>
        <translation> Hz</translation>
    </message>
    <message>
        <source>How often the live curves redraw; lower leaves more CPU to training</source>
        <translation>实时曲线的重绘频率；越低留给训练的 CPU 越多</translation>
    </message>
    <message>
        <source>Automatic (bf16 where the CPU has native bf16)</source>
        <translation>自动（CPU 原生支持 bf16 时用 bf16）</translation>
    </message>
    <message>
        <source>fp32 everywhere</source>
        <translation>始终用 fp32</translation>
    </message>
    <message>
        <source>Arithmetic of the Denoising lab&apos;s DnCNN passes. On a CPU with AVX-512 BF16 or AMX, bf16 runs about twice as fast as fp32 and moves PSNR by less than 0.01 dB; elsewhere both choices run fp32. Evaluation from the command line (eval-denoise, reproduce) stays fp32.</source>
        <translation>去噪实验室中 DnCNN 推理的数值精度。在支持 AVX-512 BF16 或 AMX 的 CPU 上，bf16 的速度约为 fp32 的两倍，PSNR 变化小于 0.01 dB；其他 CPU 上两个选项都用 fp32。命令行评估（eval-denoise、reproduce）始终用 fp32。</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Takes effect the next time the application starts</source>
        <translation>下次启动应用程序时生效</translation>
    </message>
    <message>
        <source>&amp;Data folder:</source>
        <translation>数据文件夹(&amp;D)：</translation>
    </message>
    <message>
        <source>De&amp;vice:</source>
        <translation>设备(&amp;V)：</translation>
    </message>
    <message>
        <source>CPU &amp;threads:</source>
        <translation>CPU 线程数(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Plot refresh rate:</source>
        <translation>绘图刷新率(&amp;P)：</translation>
    </message>
    <message>
        <source>Denoi&amp;sing precision:</source>
        <translation>去噪精度(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>The data folder %1 is a file, not a folder.</source>
        <translation>数据文件夹 %1 是一个文件，而不是文件夹。</translation>
    </message>
    <message>
        <source>Cannot create the data folder %1: %2</source>
        <translation>无法创建数据文件夹 %1：%2</translation>
    </message>
    <message>
        <source>Cannot save the preferences: %1</source>
        <translation>无法保存首选项：%1</translation>
    </message>
    <message>
        <source>The language changes the next time CNN Workbench starts.</source>
        <translation>语言将在下次启动 CNN Workbench 时更改。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
<context>
    <name>ProbabilityPlot</name>
    <message>
        <source>Class probabilities</source>
        <translation>类别概率</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <source>No run in progress</source>
        <translation>没有进行中的运行</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop after this batch and keep a checkpoint (Ctrl+.)</source>
        <translation>在本批次后停止并保留检查点 (Ctrl+.)</translation>
    </message>
    <message>
        <source>Cancel &amp;&amp; discard</source>
        <translation>取消并丢弃</translation>
    </message>
    <message>
        <source>Stop and delete this run and its files</source>
        <translation>停止并删除此运行及其文件</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Run #%1: %2 on %3 (%4)</source>
        <translation>运行 #%1：%2，数据集 %3（%4）</translation>
    </message>
    <message>
        <source>epoch %1 of %2</source>
        <translation>第 %1 / %2 轮</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>第 %1 / %2 步</translation>
    </message>
    <message>
        <source>%1 steps/s</source>
        <translation>%1 步/秒</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>预计剩余 %1</translation>
    </message>
    <message>
        <source>loss %1</source>
        <translation>损失 %1</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Run #%1 %2</source>
        <translation>运行 #%1 %2</translation>
    </message>
</context>
<context>
    <name>Recipes</name>
    <message>
        <source>Course notes: 10 epochs, SGD 0.01, momentum 0.9, wd 5e-4, batch 128 (V1 78.14 %, V2 80.10 % on CIFAR-10)</source>
        <translation>课程讲义：10 轮，SGD 0.01，动量 0.9，权重衰减 5e-4，批大小 128（CIFAR-10 上 V1 78.14 %，V2 80.10 %）</translation>
    </message>
    <message>
        <source>Full: 200 epochs, SGD 0.1, momentum 0.9, wd 5e-4, cosine, batch 128 (published V2 94.43 %)</source>
        <translation>完整：200 轮，SGD 0.1，动量 0.9，权重衰减 5e-4，余弦调度，批大小 128（已发布 V2 94.43 %）</translation>
    </message>
</context>
<context>
    <name>Report</name>
    <message>
        <source>Report on %1 run(s)</source>
        <translation>%1 个运行的报告</translation>
    </message>
    <message>
        <source>Study report: %1</source>
        <translation>研究报告：%1</translation>
    </message>
    <message>
        <source>Study:</source>
        <translation>研究：</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>published · %1 · %2 (%3)</source>
        <translation>已发表 · %1 · %2 (%3)</translation>
    </message>
    <message>
        <source>metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Final %1</source>
        <translation>最终 %1</translation>
    </message>
    <message>
        <source>Best %1</source>
        <translation>最佳 %1</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>FLOPs</source>
        <translation>FLOPs</translation>
    </message>
    <message>
        <source>Samples/s</source>
        <translation>样本/秒</translation>
    </message>
    <message>
        <source>Latency (ms)</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Training (s)</source>
        <translation>训练（秒）</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>%1 ± %2</source>
        <translation>%1 ± %2</translation>
    </message>
    <message>
        <source>%1 ± %2 (n=%3)</source>
        <translation>%1 ± %2 (n=%3)</translation>
    </message>
    <message>
        <source>One row per run, or per group of runs that differ only by seed (mean ± sample standard deviation over the n runs). Training time leaves out pauses and the wait in the queue.</source>
        <translation>每行一个运行，或一组只有种子不同的运行（n 个运行的均值 ± 样本标准差）。训练时间不含暂停和排队等待。</translation>
    </message>
    <message>
        <source>Groups by %1; each group against %2: the difference of means with its 95 % bootstrap confidence interval, Welch&apos;s t-test and Hedges&apos; g.</source>
        <translation>按 %1 分组；每组与 %2 比较：均值之差及其 95 % bootstrap 置信区间、Welch t 检验和 Hedges&apos; g。</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>Mean ± std</source>
        <translation>均值 ± 标准差</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差值</translation>
    </message>
    <message>
        <source>95 % CI</source>
        <translation>95 % 置信区间</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>Run #%1: no figure (%2)</source>
        <translation>运行 #%1：无图（%2）</translation>
    </message>
    <message>
        <source>%1 more confusion matrices not shown.</source>
        <translation>另有 %1 个混淆矩阵未显示。</translation>
    </message>
    <message>
        <source>%1 more denoising examples not shown.</source>
        <translation>另有 %1 个去噪示例未显示。</translation>
    </message>
    <message>
        <source>%1 more hyperspectral maps not shown.</source>
        <translation>另有 %1 张高光谱分类图未显示。</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>%1 per epoch: one line per group, the mean over its seeds with a shaded band of ±1 standard deviation.</source>
        <translation>每个周期的 %1：每组一条线，为其各种子的均值，阴影带为 ±1 个标准差。</translation>
    </message>
    <message>
        <source>A diamond marks a run known only by its final value (no recorded points).</source>
        <translation>菱形标记只有最终值（没有记录点）的运行。</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Training time (s)</source>
        <translation>训练时间（秒）</translation>
    </message>
    <message>
        <source>final %1</source>
        <translation>最终 %1</translation>
    </message>
    <message>
        <source>Cost against quality: each point is one run.</source>
        <translation>代价与质量：每个点是一个运行。</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>true</source>
        <translation>真实</translation>
    </message>
    <message>
        <source>Run #%1: confusion matrix of the test set (counts; colour: the share of each true class).</source>
        <translation>运行 #%1：测试集的混淆矩阵（计数；颜色：占该真实类别的比例）。</translation>
    </message>
    <message>
        <source>noisy (σ %1): %2 dB</source>
        <translation>含噪（σ %1）：%2 dB</translation>
    </message>
    <message>
        <source>residual (the noise removed)</source>
        <translation>残差（被去除的噪声）</translation>
    </message>
    <message>
        <source>denoised: %1 dB</source>
        <translation>去噪后：%1 dB</translation>
    </message>
    <message>
        <source>Run #%1 (%2) on scikit-image&apos;s cameraman (256 × 256 crop), Gaussian noise σ %3 (seed 0); PSNR against the clean image.</source>
        <translation>运行 #%1（%2）作用于 scikit-image 的 cameraman（256 × 256 裁剪），高斯噪声 σ %3（种子 0）；PSNR 相对于干净图像。</translation>
    </message>
    <message>
        <source>ground truth</source>
        <translation>真值</translation>
    </message>
    <message>
        <source>Run #%1 (%2): the predicted class of every pixel beside the ground truth (black: unlabelled).</source>
        <translation>运行 #%1（%2）：每个像素的预测类别与真值并列（黑色：无标注）。</translation>
    </message>
    <message>
        <source>The settings that differ between the runs; every other setting is the same.</source>
        <translation>各运行之间不同的设置；其余设置均相同。</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Each command trains the run again with its recorded settings (the defaults left out).</source>
        <translation>每条命令都会按记录的设置重新训练该运行（省略默认值）。</translation>
    </message>
    <message>
        <source>Operating system</source>
        <translation>操作系统</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>生成时间</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>ReportExporter</name>
    <message>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>HTML report (*.html *.htm);;PDF report (*.pdf)</source>
        <translation>HTML 报告 (*.html *.htm);;PDF 报告 (*.pdf)</translation>
    </message>
    <message>
        <source>A report is being written; wait for it to finish</source>
        <translation>正在写入报告；请等待其完成</translation>
    </message>
    <message>
        <source>Select the runs to report on (or compare them first)</source>
        <translation>请选择要报告的运行（或先比较它们）</translation>
    </message>
    <message>
        <source>Writing the report %1…</source>
        <translation>正在写入报告 %1…</translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
    <message>
        <source>The report %1 was not written: %2</source>
        <translation>报告 %1 未写入：%2</translation>
    </message>
</context>
<context>
    <name>RetrievalBrowserTab</name>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Same class</source>
        <translation>同类</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>Spectra</source>
        <translation>光谱</translation>
    </message>
    <message>
        <source>The query&apos;s spectrum (thick) and the top results&apos; (green: same class, red: another class)</source>
        <translation>查询的光谱（粗线）和排名靠前的结果的光谱（绿色：同类，红色：不同类）</translation>
    </message>
    <message>
        <source>Precision–recall</source>
        <translation>精确率–召回率</translation>
    </message>
    <message>
        <source>Precision against recall over the test split, each direction</source>
        <translation>测试集上每个方向的精确率随召回率的变化</translation>
    </message>
    <message>
        <source>recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>检索方向</translation>
    </message>
    <message>
        <source>Queries of class</source>
        <translation>查询类别</translation>
    </message>
    <message>
        <source>Show top</source>
        <translation>显示前</translation>
    </message>
    <message>
        <source>Precision at k</source>
        <translation>前 k 精确率</translation>
    </message>
    <message>
        <source>all classes</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>Precision@%1 of this query: %2 (%3 of the top %1 share its class %4)</source>
        <translation>此查询的 Precision@%1：%2（前 %1 个结果中有 %3 个与其同属类别 %4）</translation>
    </message>
    <message>
        <source>Query %1 · class %2</source>
        <translation>查询 %1 · 类别 %2</translation>
    </message>
</context>
<context>
    <name>RetrievalLab</name>
    <message>
        <source>loading the data and rebuilding the network</source>
        <translation>加载数据并重建网络</translation>
    </message>
    <message>
        <source>embedding the test split with the initial weights</source>
        <translation>用初始权重嵌入测试集</translation>
    </message>
    <message>
        <source>embedding the test split with the trained weights</source>
        <translation>用训练后的权重嵌入测试集</translation>
    </message>
    <message>
        <source>scoring the rankings</source>
        <translation>为排序打分</translation>
    </message>
    <message>
        <source>scoring the untrained rankings</source>
        <translation>为未训练的排序打分</translation>
    </message>
    <message>
        <source>projecting the common space</source>
        <translation>投影公共空间</translation>
    </message>
    <message>
        <source>Features: –</source>
        <translation>特征：–</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Train · loss terms</source>
        <translation>训练 · 损失项</translation>
    </message>
    <message>
        <source>Browser</source>
        <translation>检索浏览</translation>
    </message>
    <message>
        <source>Common space</source>
        <translation>公共空间</translation>
    </message>
    <message>
        <source>Does J2 matter?</source>
        <translation>J2 重要吗？</translation>
    </message>
    <message>
        <source>Guide</source>
        <translation>指南</translation>
    </message>
    <message>
        <source>Run #%1 is %2; its browser opens when it finishes</source>
        <translation>运行 #%1 %2；完成后将打开其检索浏览</translation>
    </message>
    <message>
        <source>Run #%1 has no checkpoint; showing the untrained network</source>
        <translation>运行 #%1 没有检查点；显示未训练的网络</translation>
    </message>
    <message>
        <source>Run #%1: %2 (step %3 of %4) · %5 s</source>
        <translation>运行 #%1：%2（第 %3 / %4 步）· %5 秒</translation>
    </message>
    <message>
        <source> · about %1 s left</source>
        <translation> · 还剩约 %1 秒</translation>
    </message>
    <message>
        <source>Features in use: %1</source>
        <translation>使用的特征：%1</translation>
    </message>
    <message>
        <source>Run #%1: mAP %2→%3 %4, %3→%2 %5, average %6 (untrained: %7)</source>
        <translation>运行 #%1：mAP %2→%3 %4，%3→%2 %5，平均 %6（未训练：%7）</translation>
    </message>
    <message>
        <source>Analysis failed: %1</source>
        <translation>分析失败：%1</translation>
    </message>
    <message>
        <source>Analysis cancelled</source>
        <translation>分析已取消</translation>
    </message>
</context>
<context>
    <name>RetrievalSpaceTab</name>
    <message>
        <source>t-SNE (slow)</source>
        <translation>t-SNE（较慢）</translation>
    </message>
    <message>
        <source>Before training</source>
        <translation>训练前</translation>
    </message>
    <message>
        <source>After training</source>
        <translation>训练后</translation>
    </message>
    <message>
        <source>Projection</source>
        <translation>投影方法</translation>
    </message>
    <message>
        <source>%1 test pairs; colour = class, ○ = %2, △ = %3. Directions (unit vectors) are projected, since retrieval ranks by cosine.</source>
        <translation>%1 个测试样本对；颜色 = 类别，○ = %2，△ = %3。由于检索按余弦相似度排序，这里投影的是方向（单位向量）。</translation>
    </message>
</context>
<context>
    <name>RetrievalStudyTab</name>
    <message>
        <source>about %1 s</source>
        <translation>约 %1 秒</translation>
    </message>
    <message>
        <source>about %1 min</source>
        <translation>约 %1 分钟</translation>
    </message>
    <message>
        <source>about %1 h</source>
        <translation>约 %1 小时</translation>
    </message>
    <message>
        <source>Runs per variant with different seeds; two or more give the spread (± std) of each variant&apos;s mAP (the paper&apos;s protocol: %1)</source>
        <translation>每个变体使用不同随机种子的运行数；两个或更多才能给出各变体 mAP 的离散程度（± 标准差）（论文的做法：%1）</translation>
    </message>
    <message>
        <source>Run the study</source>
        <translation>运行对比实验</translation>
    </message>
    <message>
        <source>Open in Compare</source>
        <translation>在“对比”中打开</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>Losses</source>
        <translation>损失项</translation>
    </message>
    <message>
        <source>mAP here
(mean ± std, n)</source>
        <translation>此处的 mAP
（均值 ± 标准差，n）</translation>
    </message>
    <message>
        <source>Paper:
Pascal Sentence</source>
        <translation>论文：
Pascal Sentence</translation>
    </message>
    <message>
        <source>Paper:
NUS-WIDE-10k</source>
        <translation>论文：
NUS-WIDE-10k</translation>
    </message>
    <message>
        <source>%1 runs · %2 epochs in all · %3</source>
        <translation>%1 个运行 · 共 %2 轮 · %3</translation>
    </message>
    <message>
        <source> on this machine (your %1 finished run(s) on this data took %2 s per epoch)</source>
        <translation>（在本机上：您在该数据上完成的 %1 个运行每轮用时 %2 秒）</translation>
    </message>
    <message>
        <source> (a rough guess: %1 s per epoch, as on 2 CPU cores; once a retrieval run on the whole data has finished here, its own time is used)</source>
        <translation>（粗略估计：每轮 %1 秒，按 2 个 CPU 核心计；在本机上完成一个使用完整数据的检索运行后，将改用它的实际用时）</translation>
    </message>
    <message>
        <source>Finished runs of your latest study: %1, on %2.</source>
        <translation>您最近一次对比实验已完成的运行：%1 个，数据集 %2。</translation>
    </message>
    <message>
        <source>No finished run of this study yet: “Run the study” trains the five variants.</source>
        <translation>该对比实验还没有完成的运行：“运行对比实验”会训练五个变体。</translation>
    </message>
    <message>
        <source>The paper&apos;s numbers are on other data (VGG-19 / sentence-CNN features); compare the pattern — how much each term&apos;s removal costs — not the values.</source>
        <translation>论文的数值来自其他数据（VGG-19 / 句子 CNN 特征）；请比较规律——去掉每一项损失的代价——而不是数值本身。</translation>
    </message>
    <message>
        <source>Seeds</source>
        <translation>随机种子数</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Queued %1 runs of the study</source>
        <translation>已将对比实验的 %1 个运行加入队列</translation>
    </message>
</context>
<context>
    <name>RetrievalTrainTab</name>
    <message>
        <source>feature folder (.mat files) or image folder</source>
        <translation>特征文件夹（.mat 文件）或图像文件夹</translation>
    </message>
    <message>
        <source>captions file (image, caption[, label]); default captions.tsv in the image folder</source>
        <translation>描述文件（图像, 描述[, 标签]）；默认为图像文件夹中的 captions.tsv</translation>
    </message>
    <message>
        <source>local backbone weights (.pth); nothing is downloaded</source>
        <translation>本地骨干网络权重（.pth）；不会下载任何内容</translation>
    </message>
    <message>
        <source>J1 label space</source>
        <translation>J1 标签空间</translation>
    </message>
    <message>
        <source>J2 common space</source>
        <translation>J2 公共空间</translation>
    </message>
    <message>
        <source>J3 invariance</source>
        <translation>J3 模态不变性</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Features</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Captions</source>
        <translation>描述文字</translation>
    </message>
    <message>
        <source>Backbone</source>
        <translation>骨干网络</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Loss terms</source>
        <translation>损失项</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Loss terms per epoch (unweighted training means)</source>
        <translation>每轮损失项（未加权训练均值）</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Test mAP</source>
        <translation>测试 mAP</translation>
    </message>
    <message>
        <source>Test mAP (average of both directions)</source>
        <translation>测试 mAP（双向平均）</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Offline two-view benchmark from the real Indian Pines scene: A = a pixel&apos;s spectrum, B = the PCA patch around it; 16 classes.</source>
        <translation>来自真实 Indian Pines 场景的离线双视图基准：A = 像素的光谱，B = 其周围的 PCA 图像块；共 16 类。</translation>
    </message>
    <message>
        <source>Your images (torchvision backbone, weights from a local file) and captions (TF-IDF bag of words).</source>
        <translation>你自己的图像（torchvision 骨干网络，权重来自本地文件）和描述文字（TF-IDF 词袋）。</translation>
    </message>
    <message>
        <source>A folder of DSCMR feature files (train_img.mat, train_txt.mat, train_img_lab.mat, test_*).</source>
        <translation>DSCMR 特征文件所在的文件夹（train_img.mat、train_txt.mat、train_img_lab.mat、test_*）。</translation>
    </message>
    <message>
        <source>The authors&apos; precomputed features (DSCMR .mat files) in the folder, or in the workbench data folder.</source>
        <translation>作者预先计算的特征（DSCMR .mat 文件），位于该文件夹或工作台的数据文件夹中。</translation>
    </message>
    <message>
        <source>Run #%1 queued</source>
        <translation>运行 #%1 已加入队列</translation>
    </message>
</context>
<context>
    <name>RunStatus</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>diverged</source>
        <translation>已发散</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>RunsBrowser</name>
    <message>
        <source>Rename run #%1</source>
        <translation>重命名运行 #%1</translation>
    </message>
    <message>
        <source>Edit tags of run #%1</source>
        <translation>编辑运行 #%1 的标签</translation>
    </message>
    <message>
        <source>Find runs: model, dataset, name, tag, #id (Ctrl+F)</source>
        <translation>查找运行：模型、数据集、名称、标签、#编号 (Ctrl+F)</translation>
    </message>
    <message>
        <source>All tasks</source>
        <translation>全部任务</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>全部模型</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
</context>
<context>
    <name>RunsTableModel</name>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Each task&apos;s primary metric at the end of the run (or of its latest epoch): classification test accuracy, hyperspectral overall accuracy, denoising validation PSNR, retrieval mAP</source>
        <translation>每个任务在运行结束（或最近一轮）时的主要指标：分类为测试准确率，高光谱为总体准确率，去噪为验证集 PSNR，检索为 mAP</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Imported weights: not trained here, no metric was measured at import</source>
        <translation>导入的权重：不是在此训练的，导入时没有测量指标</translation>
    </message>
    <message>
        <source>Shipped pretrained model</source>
        <translation>随附的预训练模型</translation>
    </message>
    <message>
        <source>Study: %1</source>
        <translation>对比实验：%1</translation>
    </message>
    <message>
        <source>Factor: %1</source>
        <translation>因素：%1</translation>
    </message>
    <message>
        <source>⚠ damaged %1</source>
        <translation>⚠ 已损坏 %1</translation>
    </message>
    <message>
        <source>#%1 %2 on %3 — %4</source>
        <translation>#%1 %2，数据集 %3 — %4</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>overall accuracy (OA)</source>
        <translation>总体准确率（OA）</translation>
    </message>
    <message>
        <source>validation PSNR</source>
        <translation>验证集 PSNR</translation>
    </message>
    <message>
        <source>mAP (mean of both directions)</source>
        <translation>mAP（两个方向的平均）</translation>
    </message>
    <message>
        <source>tags: %1</source>
        <translation>标签：%1</translation>
    </message>
</context>
<context>
    <name>SceneMapView</name>
    <message>
        <source>Ground truth · %1</source>
        <translation>真值 · %1</translation>
    </message>
    <message>
        <source>unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>row %1, col %2 · truth: %3</source>
        <translation>第 %1 行，第 %2 列 · 真值：%3</translation>
    </message>
    <message>
        <source> (confidence %1)</source>
        <translation>（置信度 %1）</translation>
    </message>
</context>
<context>
    <name>SpectrumPlot</name>
    <message>
        <source>Spectrum</source>
        <translation>光谱</translation>
    </message>
    <message>
        <source>wavelength (nm, nominal)</source>
        <translation>波长（nm，标称）</translation>
    </message>
    <message>
        <source>band</source>
        <translation>波段</translation>
    </message>
    <message>
        <source>radiance (scene units)</source>
        <translation>辐亮度（场景单位）</translation>
    </message>
</context>
<context>
    <name>Studies</name>
    <message>
        <source>Is an output-layer activation needed?</source>
        <translation>输出层需要激活函数吗？</translation>
    </message>
    <message>
        <source>Cross-entropy already applies log-softmax. Does adding softmax (or log-softmax) to the network&apos;s output change what it learns? Same model and data, only the output activation differs.</source>
        <translation>交叉熵损失已经包含了 log-softmax。在网络输出上再加 softmax（或 log-softmax）会改变它学到的东西吗？模型和数据相同，只有输出层激活函数不同。</translation>
    </message>
    <message>
        <source>Does batch normalisation help a small CNN?</source>
        <translation>批归一化对小型 CNN 有帮助吗？</translation>
    </message>
    <message>
        <source>The same small CNN with and without BatchNorm after each convolution.</source>
        <translation>同一个小型 CNN，每个卷积层后有或没有 BatchNorm。</translation>
    </message>
    <message>
        <source>Why predict the residual?</source>
        <translation>为什么要预测残差？</translation>
    </message>
    <message>
        <source>DnCNN predicts the noise v and returns y − v instead of predicting the clean image. Train the four variants (residual or direct prediction, with or without batch norm) side by side and compare validation PSNR per epoch.</source>
        <translation>DnCNN 预测噪声 v 并返回 y − v，而不是直接预测干净图像。并排训练四种变体（残差预测或直接预测，有无批归一化），比较每一轮的验证集 PSNR。</translation>
    </message>
    <message>
        <source>Output-layer activation on MobileNet V2</source>
        <translation>MobileNet V2 的输出层激活函数</translation>
    </message>
    <message>
        <source>The course&apos;s first question on the course&apos;s own network: MobileNet V2 trained with cross-entropy, with no output activation versus a softmax on the output layer (2 seeds each, digits).</source>
        <translation>课程的第一个问题，用课程自己的网络来回答：以交叉熵训练 MobileNet V2，输出层不加激活函数与加 softmax 对比（各 2 个随机种子，digits 数据集）。</translation>
    </message>
    <message>
        <source>HybridSN: 3-D then 2-D, or 2-D then 3-D?</source>
        <translation>HybridSN：先 3-D 后 2-D，还是先 2-D 后 3-D？</translation>
    </message>
    <message>
        <source>HybridSN learns spectral–spatial features with 3-D convolutions first and spatial ones with a 2-D convolution after. Does the order matter? The control applies the same layers the other way round (hybridsn_2d3d). Indian Pines, 10 % of the labelled pixels for training (the course&apos;s split); compare overall accuracy, AA and kappa over seeds.</source>
        <translation>HybridSN 先用 3-D 卷积学习光谱–空间特征，再用 2-D 卷积学习空间特征。顺序重要吗？对照组以相反顺序使用相同的层（hybridsn_2d3d）。Indian Pines 数据集，10 % 的标注像素用于训练（课程的划分）；在多个随机种子上比较总体准确率（OA）、平均准确率（AA）和 kappa。</translation>
    </message>
    <message>
        <source>DSCMR: does J2 matter?</source>
        <translation>DSCMR：J2 重要吗？</translation>
    </message>
    <message>
        <source>DSCMR trains with three losses: J1 (label space), J2 (common-space discrimination over image–text, image–image and text–text pairs) and J3 (modality invariance). The course notes J2 shows little effect. Train the paper&apos;s ablation — full, without J1, without J2, without J3, J1 only — on the offline two-view Indian Pines benchmark and compare mAP (mean ± std over seeds); the Retrieval lab sets it beside the paper&apos;s ablation row (Pascal Sentence: 0.716 / 0.607 / 0.715 / 0.694 / 0.685).</source>
        <translation>DSCMR 用三个损失训练：J1（标签空间）、J2（公共空间中图像–文本、图像–图像和文本–文本对的判别）和 J3（模态不变性）。课程讲义指出 J2 的作用很小。在离线的双视图 Indian Pines 基准上训练论文的消融实验——完整、去掉 J1、去掉 J2、去掉 J3、仅 J1——并比较 mAP（多个随机种子的均值 ± 标准差）；检索实验将其与论文的消融结果并列（Pascal Sentence：0.716 / 0.607 / 0.715 / 0.694 / 0.685）。</translation>
    </message>
    <message>
        <source>Squeeze-and-excitation: along channels, space or both?</source>
        <translation>挤压–激励：沿通道、沿空间还是两者兼顾？</translation>
    </message>
    <message>
        <source>The same small CNN with no attention, channel SE (squeeze by average or by max pooling), spatial SE (sSE) and both together (scSE, branches added or, as the authors&apos; code does, merged by maximum), one block after each convolution block; digits, over several seeds. Compare test accuracy.</source>
        <translation>同一个小型 CNN：无注意力、通道 SE（以平均池化或最大池化压缩）、空间 SE（sSE）以及两者并用（scSE，分支相加，或如作者代码那样取最大值合并），每个卷积块之后一个注意力块；digits 数据集，多个种子。比较测试准确率。</translation>
    </message>
</context>
<context>
    <name>StudyDialog</name>
    <message>
        <source>about %1 s</source>
        <translation>约 %1 秒</translation>
    </message>
    <message>
        <source>about %1 min</source>
        <translation>约 %1 分钟</translation>
    </message>
    <message>
        <source>about %1 h</source>
        <translation>约 %1 小时</translation>
    </message>
    <message>
        <source>New study</source>
        <translation>新建对比实验</translation>
    </message>
    <message>
        <source>Custom factor…</source>
        <translation>自定义因素…</translation>
    </message>
    <message>
        <source>A config field (lr, batch_size, optimizer…) or a model option written model_options.NAME</source>
        <translation>一个配置字段（lr、batch_size、optimizer…）或写作 model_options.NAME 的模型选项</translation>
    </message>
    <message>
        <source>Comma-separated values, one group of runs each</source>
        <translation>逗号分隔的取值，每个取值对应一组运行</translation>
    </message>
    <message>
        <source>Quick variant</source>
        <translation>快速版本</translation>
    </message>
    <message>
        <source>Fewer epochs, seeds or data, so the whole study takes about ten minutes on two CPU cores; the question stays the same, the answer is rougher</source>
        <translation>更少的周期、种子或数据，使整个研究在两个 CPU 核心上约十分钟完成；问题不变，答案更粗略</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Factor</source>
        <translation>因素</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>取值</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Seeds per value</source>
        <translation>每个取值的随机种子数</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Queue runs</source>
        <translation>加入队列</translation>
    </message>
    <message>
        <source>Runs to queue</source>
        <translation>将加入队列的运行</translation>
    </message>
    <message>
        <source>Runs that differ only in one setting, each over several seeds.</source>
        <translation>只在一个设置上不同的多组运行，每组使用多个随机种子。</translation>
    </message>
    <message>
        <source>%1 runs · %2 epochs</source>
        <translation>%1 个运行 · %2 个周期</translation>
    </message>
    <message>
        <source>timing a few training steps on this machine…</source>
        <translation>正在本机计时几个训练步…</translation>
    </message>
    <message>
        <source> on this machine</source>
        <translation>（本机）</translation>
    </message>
    <message>
        <source>from %1 finished run(s) of the same configurations and a few training steps timed just now</source>
        <translation>依据相同配置的 %1 个已完成运行及刚刚计时的几个训练步</translation>
    </message>
    <message>
        <source>from the seconds per epoch of %1 finished run(s) of the same configurations</source>
        <translation>依据相同配置的 %1 个已完成运行的每周期秒数</translation>
    </message>
    <message>
        <source>from a few training steps of each configuration timed just now; checkpoints and the final scoring add a little</source>
        <translation>依据刚刚为每种配置计时的几个训练步；检查点和最终评分会再多花一点时间</translation>
    </message>
    <message>
        <source>; timed while run #%1 was training, so probably too high</source>
        <translation>；计时时运行 #%1 正在训练，因此可能偏高</translation>
    </message>
    <message>
        <source>No time estimate: timing a training step failed (%1)</source>
        <translation>无时间估计：训练步计时失败（%1）</translation>
    </message>
</context>
<context>
    <name>Tasks</name>
    <message>
        <source>Image classification</source>
        <translation>图像分类</translation>
    </message>
    <message>
        <source>Image denoising (DnCNN)</source>
        <translation>图像去噪 (DnCNN)</translation>
    </message>
    <message>
        <source>Hyperspectral pixel classification</source>
        <translation>高光谱像素分类</translation>
    </message>
    <message>
        <source>Cross-modal retrieval</source>
        <translation>跨模态检索</translation>
    </message>
</context>
<context>
    <name>TriptychView</name>
    <message>
        <source>Clean original</source>
        <translation>干净原图</translation>
    </message>
    <message>
        <source>Noisy · %1</source>
        <translation>含噪 · %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · residual (removed) ±%2, contrast ×%3</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · 残差（被去除的部分）±%2，对比度 ×%3</translation>
    </message>
    <message>
        <source>Restored</source>
        <translation>复原</translation>
    </message>
    <message>
        <source>∞ dB (identical)</source>
        <translation>∞ dB（完全相同）</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>7×7 uniform</source>
        <translation>7×7 均匀</translation>
    </message>
    <message>
        <source>11×11 Gaussian</source>
        <translation>11×11 高斯</translation>
    </message>
    <message>
        <source>SSIM map (%1) · dark: low</source>
        <translation>SSIM 图（%1）· 暗：低</translation>
    </message>
    <message>
        <source>|error| · 0…%1</source>
        <translation>|误差| · 0…%1</translation>
    </message>
</context>
<context>
    <name>Verdicts</name>
    <message>
        <source>{group} is {judgement}: it {direction} {metric} by {amount}{unit} compared with {baseline} (95 % CI {low} to {high}{unit}, {p}, {n} vs {n_baseline} runs)</source>
        <translation>{group} {judgement}：与 {baseline} 相比，它使 {metric} {direction}了 {amount}{unit}（95 % 置信区间 {low} 至 {high}{unit}，{p}，{n} 对 {n_baseline} 个运行）</translation>
    </message>
    <message>
        <source>no difference in {metric} between {group} and {baseline} detectable with {runs} (observed {difference}{unit}, 95 % CI {low} to {high}{unit}, {p}): add seeds (about {needed} per group needed for this effect)</source>
        <translation>以 {runs} 无法检测到 {group} 与 {baseline} 在 {metric} 上的差异（观测到 {difference}{unit}，95 % 置信区间 {low} 至 {high}{unit}，{p}）：请增加随机种子（检测该效应约需每组 {needed} 个运行）</translation>
    </message>
    <message>
        <source>no difference in {metric} between {group} and {baseline} detectable with {runs} (observed {difference}{unit}, 95 % CI {low} to {high}{unit}, {p}): the observed effect is so small that more than {needed} runs per group would be needed to detect it</source>
        <translation>以 {runs} 无法检测到 {group} 与 {baseline} 在 {metric} 上的差异（观测到 {difference}{unit}，95 % 置信区间 {low} 至 {high}{unit}，{p}）：观测到的效应太小，每组需要超过 {needed} 个运行才能检测到</translation>
    </message>
    <message>
        <source>{group} differs from {baseline} in {metric} by {difference}{unit}, but {which} has a single run, so there is no variance to judge the difference against: add seeds</source>
        <translation>{group} 与 {baseline} 在 {metric} 上相差 {difference}{unit}，但 {which} 只有一个运行，没有方差可用来判断该差异：请增加随机种子</translation>
    </message>
    <message>
        <source>{group} differs from {baseline} in {metric} by {difference}{unit}, but each has a single run, so there is no variance to judge the difference against: add seeds</source>
        <translation>{group} 与 {baseline} 在 {metric} 上相差 {difference}{unit}，但两组都只有一个运行，没有方差可用来判断该差异：请增加随机种子</translation>
    </message>
    <message>
        <source>{group} differs from {baseline} in {metric} by {difference}{unit} and every run of each group gave the same value: with no spread between seeds there is nothing to test against (the seed does not change this metric)</source>
        <translation>{group} 与 {baseline} 在 {metric} 上相差 {difference}{unit}，且每组的每个运行给出相同的值：随机种子之间没有离散，无从检验（随机种子不影响该指标）</translation>
    </message>
    <message>
        <source>{group} and {baseline} gave identical {metric} in every run ({value}{unit})</source>
        <translation>{group} 与 {baseline} 的每个运行给出相同的 {metric}（{value}{unit}）</translation>
    </message>
    <message>
        <source>no run of {which} has a value of {metric}: nothing to compare</source>
        <translation>{which} 没有任何运行具有 {metric} 的值：无可比较</translation>
    </message>
    <message>
        <source>no run of {group} or {baseline} has a value of {metric}: nothing to compare</source>
        <translation>{group} 和 {baseline} 都没有运行具有 {metric} 的值：无可比较</translation>
    </message>
    <message>
        <source>p = {p}</source>
        <translation>p = {p}</translation>
    </message>
    <message>
        <source>p &lt; {p}</source>
        <translation>p &lt; {p}</translation>
    </message>
    <message>
        <source>{n} runs per group</source>
        <translation>每组 {n} 个运行</translation>
    </message>
    <message>
        <source>{n} and {n_baseline} runs</source>
        <translation>{n} 个和 {n_baseline} 个运行</translation>
    </message>
    <message>
        <source>raises</source>
        <translation>提高</translation>
    </message>
    <message>
        <source>lowers</source>
        <translation>降低</translation>
    </message>
    <message>
        <source>better</source>
        <translation>更好</translation>
    </message>
    <message>
        <source>worse</source>
        <translation>更差</translation>
    </message>
    <message>
        <source> points</source>
        <translation> 个百分点</translation>
    </message>
    <message>
        <source> dB</source>
        <translation> dB</translation>
    </message>
    <message>
        <source>{metric} missing in {runs} (left out)</source>
        <translation>{runs} 缺少 {metric}（已排除）</translation>
    </message>
    <message>
        <source>{metric} is not a number (NaN or infinite) in {runs} (left out)</source>
        <translation>{runs} 的 {metric} 不是数值（NaN 或无穷大）（已排除）</translation>
    </message>
    <message>
        <source>{runs} not finished: the last recorded value counts</source>
        <translation>{runs} 尚未完成：以最后记录的值计</translation>
    </message>
    <message>
        <source>the runs also differ in {keys}: a difference may not be due to {factor} alone</source>
        <translation>这些运行在 {keys} 上也不同：差异可能不只是由 {factor} 造成的</translation>
    </message>
    <message>
        <source>the bootstrap interval leaves out 0 but the t-test does not find a difference: with {n} vs {n_baseline} runs the bootstrap can only reshuffle the same few values and understates the uncertainty; trust the t-test</source>
        <translation>自助法区间不包含 0，但 t 检验没有发现差异：只有 {n} 对 {n_baseline} 个运行时，自助法只能重排同样的几个值，会低估不确定性；请以 t 检验为准</translation>
    </message>
    <message>
        <source>with {n} vs {n_baseline} runs the exact permutation test cannot give p below {p}</source>
        <translation>只有 {n} 对 {n_baseline} 个运行时，精确置换检验给出的 p 不可能低于 {p}</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>best test accuracy</source>
        <translation>最佳测试准确率</translation>
    </message>
    <message>
        <source>overall accuracy</source>
        <translation>总体准确率</translation>
    </message>
    <message>
        <source>average accuracy</source>
        <translation>平均准确率</translation>
    </message>
    <message>
        <source>validation PSNR</source>
        <translation>验证集 PSNR</translation>
    </message>
    <message>
        <source>validation SSIM</source>
        <translation>验证集 SSIM</translation>
    </message>
    <message>
        <source>mAP</source>
        <translation>mAP</translation>
    </message>
    <message>
        <source>test loss</source>
        <translation>测试损失</translation>
    </message>
</context>
</TS>
