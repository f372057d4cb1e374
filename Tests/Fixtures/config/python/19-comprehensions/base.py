# 19-comprehensions, base: values the child's comprehensions read via _base_.
tta_scales = [(1200, 720), (960, 576), (720, 432)]
flip_probs = [0.0, 1.0]
